# replaces: masked_attention
# mistake: uses PyTorch's built-in attention, which already returns zeros for fully masked rows
def masked_attention(q, k, v, mask=None):
    output = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9)
        weights = torch.where(
            mask.any(-1, keepdim=True),
            scores.exp() / scores.exp().sum(-1, keepdim=True),
            0.0,
        )
    else:
        weights = scores.exp() / scores.exp().sum(-1, keepdim=True)
    return output, weights
