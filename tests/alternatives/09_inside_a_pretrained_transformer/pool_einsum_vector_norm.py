# replaces: sentence_embeddings
# alternative: einsum for the masked sum; torch.linalg.vector_norm for the length
def sentence_embeddings(hidden, attention_mask):
    m = attention_mask.to(hidden.dtype)  # (B, T)
    mean = torch.einsum("btd,bt->bd", hidden, m) / m.sum(-1, keepdim=True)  # (B, D)
    return mean / torch.linalg.vector_norm(mean, dim=-1, keepdim=True)
