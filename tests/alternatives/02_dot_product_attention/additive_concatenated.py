# replaces: additive_score
# alternative: one matrix on the concatenation [s; h_j], as Luong et al. write the concat score
def additive_score(s, h, W_s, W_h, v, mask=None):
    batch = torch.broadcast_shapes(s.shape[:-1], h.shape[:-2])
    T = h.shape[-2]
    # (..., d_s) -> (..., T, d_s), beside (..., T, d_h)
    states = s.unsqueeze(-2).expand(*batch, T, s.shape[-1])
    pairs = torch.cat([states, h.expand(*batch, T, h.shape[-1])], dim=-1)
    W = torch.cat([W_s, W_h], dim=0)  # (d_s + d_h, A)
    scores = (torch.tanh(pairs @ W) * v).sum(dim=-1)  # (..., T)
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), float("-inf"))
    return scores
