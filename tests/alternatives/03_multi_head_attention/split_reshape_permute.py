# replaces: split_heads
# alternative: reshape then permute(0, 2, 1, 3) instead of view then transpose
def split_heads(x, num_heads):
    batch, length, width = x.shape
    if width % num_heads != 0:
        raise ValueError(f"cannot split {width} channels into {num_heads} heads")
    head_width = width // num_heads
    # (B, T, D) -> (B, T, H, D/H) -> (B, H, T, D/H)
    return x.reshape(batch, length, num_heads, head_width).permute(0, 2, 1, 3)
