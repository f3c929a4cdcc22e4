# replaces: sentence_embeddings
# alternative: averaging weights (mask / count) applied with bmm; scaled by rsqrt of the sum of squares
def sentence_embeddings(hidden, attention_mask):
    w = attention_mask.to(hidden.dtype)
    w = w / w.sum(dim=1, keepdim=True)  # (B, T): 1/n at real tokens
    mean = torch.bmm(w.unsqueeze(1), hidden).squeeze(
        1
    )  # (B, 1, T) @ (B, T, D) -> (B, D)
    return mean * torch.rsqrt((mean * mean).sum(-1, keepdim=True))
