# replaces: merge_heads
# alternative: transpose, then flatten the last two dimensions
def merge_heads(x):
    # (B, H, T, D/H) -> (B, T, H, D/H) -> (B, T, D)
    return x.transpose(1, 2).flatten(-2)
