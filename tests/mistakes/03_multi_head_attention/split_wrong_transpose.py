# replaces: split_heads
# mistake: transposes the wrong axes, giving (B, T, D/H, H) reshaped back to (B, H, T, D/H) by force
def split_heads(x, num_heads):
    batch, length, width = x.shape
    if width % num_heads:
        raise ValueError("d_model is not divisible by num_heads")
    x = x.view(batch, length, num_heads, width // num_heads)  # (B, T, H, D/H)
    return x.transpose(2, 3).reshape(
        batch, num_heads, length, width // num_heads
    )  # wrong axes
