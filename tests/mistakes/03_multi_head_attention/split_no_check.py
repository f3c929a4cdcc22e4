# replaces: split_heads
# mistake: never checks divisibility, so D=10 with 3 heads silently drops channels instead of raising ValueError
def split_heads(x, num_heads):
    batch, length, width = x.shape
    head_width = width // num_heads
    x = x[..., : num_heads * head_width]  # drops the channels that do not fit
    x = x.reshape(batch, length, num_heads, head_width)  # (B, T, D) -> (B, T, H, D/H)
    return x.transpose(1, 2)  # (B, T, H, D/H) -> (B, H, T, D/H)
