# replaces: additive_score
# alternative: one source position at a time in float64, stacked, cast back at the end
def additive_score(s, h, W_s, W_h, v, mask=None):
    state = s.double() @ W_s.double()  # (..., A)
    columns = []
    for j in range(h.shape[-2]):
        hidden = torch.tanh(state + h[..., j, :].double() @ W_h.double())  # (..., A)
        columns.append(hidden @ v.double())  # (...,)
    scores = torch.stack(columns, dim=-1)  # (..., T)
    if mask is not None:
        scores = scores + torch.zeros_like(scores).masked_fill(~mask, -math.inf)
    return scores.to(s.dtype)
