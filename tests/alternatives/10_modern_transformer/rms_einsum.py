# replaces: rms_norm
# alternative: the sum of squares by einsum, the gain defaulting to ones
def rms_norm(x, weight=None, eps=1e-6):
    if weight is None:
        weight = torch.ones(x.shape[-1], dtype=x.dtype, device=x.device)
    mean_square = torch.einsum("...d,...d->...", x, x) / x.shape[-1]  # (...)
    return x / torch.sqrt(mean_square + eps).unsqueeze(-1) * weight
