# replaces: rms_norm
# mistake: takes the mean of squares over the first dimension instead of the last
def rms_norm(x, weight=None, eps=1e-6):
    normed = x / torch.sqrt(x.pow(2).mean(dim=0, keepdim=True) + eps)  # (..., D)
    return normed if weight is None else normed * weight
