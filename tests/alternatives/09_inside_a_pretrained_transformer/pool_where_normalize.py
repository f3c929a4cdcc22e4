# replaces: sentence_embeddings
# alternative: torch.where zeroes the padding, a count clamped at 1, F.normalize for the unit length
def sentence_embeddings(hidden, attention_mask):
    import torch.nn.functional as F

    keep = attention_mask.bool().unsqueeze(-1)  # (B, T, 1)
    total = torch.where(keep, hidden, torch.zeros_like(hidden)).sum(dim=1)  # (B, D)
    count = keep.sum(dim=1).clamp(min=1).to(hidden.dtype)  # (B, 1)
    return F.normalize(total / count, p=2, dim=-1)
