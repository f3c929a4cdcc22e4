# replaces: masked_attention
# alternative: lesson 02's attention on a logical_or-repaired mask, rows zeroed by multiplying
def masked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
):
    """Lesson 02's attention with a boolean mask.

    Query rows whose every key is masked give zeros instead of NaN.
    """
    if mask is None:
        return scaled_dot_product_attention(q, k, v)
    # (..., Lq, 1): True where no key is allowed
    empty = ~mask.any(dim=-1, keepdim=True)
    output, weights = scaled_dot_product_attention(
        q, k, v, torch.logical_or(mask, empty)
    )
    keep = (~empty).to(output.dtype)  # (..., Lq, 1)
    return output * keep, weights * keep
