# replaces: previous_token_attention
# alternative: the main diagonal of the block weights[..., 1:, :-1]
def previous_token_attention(weights):
    return weights[..., 1:, :-1].diagonal(dim1=-2, dim2=-1).mean(-1)
