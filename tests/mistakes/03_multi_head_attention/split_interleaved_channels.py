# replaces: split_heads
# mistake: splits the channels as (D/H, H), so head h gets channels h, h+H, h+2H, ... instead of a contiguous block
def split_heads(x, num_heads):
    batch, length, width = x.shape
    if width % num_heads:
        raise ValueError("d_model is not divisible by num_heads")
    x = x.view(
        batch, length, width // num_heads, num_heads
    )  # (B, T, D) -> (B, T, D/H, H)
    return x.permute(0, 3, 1, 2)  # (B, T, D/H, H) -> (B, H, T, D/H)
