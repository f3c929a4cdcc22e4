# replaces: split_heads
# mistake: views (B, T, D) directly as (B, H, T, D/H): the shape is right but tokens are mixed into the wrong heads
def split_heads(x, num_heads):
    batch, length, width = x.shape
    if width % num_heads:
        raise ValueError("d_model is not divisible by num_heads")
    return x.view(
        batch, num_heads, length, width // num_heads
    )  # (B, T, D) -> (B, H, T, D/H), memory order kept
