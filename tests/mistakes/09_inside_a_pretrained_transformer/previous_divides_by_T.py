# replaces: previous_token_attention
# mistake: sums the previous-token weights but divides by T, counting position 0
def previous_token_attention(weights):
    return (
        torch.diagonal(weights, offset=-1, dim1=-2, dim2=-1).sum(dim=-1)
        / weights.shape[-1]
    )
