# replaces: split_heads
# alternative: unflatten the last dimension into (H, D/H), then transpose; divisibility from divmod
def split_heads(x, num_heads):
    head_width, remainder = divmod(x.shape[-1], num_heads)
    if remainder:
        raise ValueError("d_model must be divisible by num_heads")
    x = x.unflatten(-1, (num_heads, head_width))  # (B, T, D) -> (B, T, H, D/H)
    return x.transpose(1, 2)  # (B, T, H, D/H) -> (B, H, T, D/H)
