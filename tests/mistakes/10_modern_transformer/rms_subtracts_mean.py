# replaces: rms_norm
# mistake: subtracts the mean first, which is LayerNorm without its bias
def rms_norm(x, weight=None, eps=1e-6):
    centred = x - x.mean(dim=-1, keepdim=True)  # (..., D)
    normed = centred / torch.sqrt(centred.pow(2).mean(dim=-1, keepdim=True) + eps)
    return normed if weight is None else normed * weight
