# replaces: additive_score
# alternative: einsum for every product, torch.where for the mask
def additive_score(s, h, W_s, W_h, v, mask=None):
    state = torch.einsum("...d,da->...a", s, W_s)  # (..., A)
    annotations = torch.einsum("...td,da->...ta", h, W_h)  # (..., T, A)
    # (..., 1, A) + (..., T, A) -> (..., T) after the sum against v
    scores = torch.einsum(
        "...ta,a->...t", torch.tanh(state[..., None, :] + annotations), v
    )
    if mask is None:
        return scores
    return torch.where(mask, scores, torch.tensor(-math.inf, dtype=scores.dtype))
