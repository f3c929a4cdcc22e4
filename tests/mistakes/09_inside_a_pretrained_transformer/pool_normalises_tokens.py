# replaces: sentence_embeddings
# mistake: normalises each token vector, then averages (the mean of unit vectors is not of unit length)
def sentence_embeddings(hidden, attention_mask):
    weights = attention_mask.to(hidden.dtype).unsqueeze(-1)
    unit = hidden / hidden.norm(dim=-1, keepdim=True)
    return (unit * weights).sum(dim=1) / weights.sum(dim=1)
