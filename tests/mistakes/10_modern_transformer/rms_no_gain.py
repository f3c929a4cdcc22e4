# replaces: rms_norm
# mistake: forgets to multiply by the gain
def rms_norm(x, weight=None, eps=1e-6):
    return x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)  # (..., D)
