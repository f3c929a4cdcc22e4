# replaces: rms_norm
# alternative: computes in float64 with sqrt and a division, then casts back to x's dtype
def rms_norm(x, weight=None, eps=1e-6):
    wide = x.double()
    normed = wide / torch.sqrt(wide.square().mean(dim=-1, keepdim=True) + eps)
    if weight is not None:
        normed = normed * weight.double()
    return normed.to(x.dtype)
