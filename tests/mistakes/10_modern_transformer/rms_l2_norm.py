# replaces: rms_norm
# mistake: divides by the Euclidean norm (sum of squares) instead of the root mean square
def rms_norm(x, weight=None, eps=1e-6):
    normed = x / torch.sqrt(x.pow(2).sum(dim=-1, keepdim=True) + eps)  # (..., D)
    return normed if weight is None else normed * weight
