# replaces: sentence_embeddings
# mistake: normalises along the batch dimension instead of each sentence vector
def sentence_embeddings(hidden, attention_mask):
    weights = attention_mask.to(hidden.dtype).unsqueeze(-1)
    mean = (hidden * weights).sum(dim=1) / weights.sum(dim=1)
    return mean / mean.norm(dim=0, keepdim=True)
