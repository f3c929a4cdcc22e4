# replaces: rms_norm
# mistake: adds eps after the square root instead of inside it
def rms_norm(x, weight=None, eps=1e-6):
    normed = x / (torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True)) + eps)  # (..., D)
    return normed if weight is None else normed * weight
