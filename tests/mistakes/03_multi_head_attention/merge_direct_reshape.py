# replaces: merge_heads
# mistake: reshapes (B, H, T, D/H) straight to (B, T, D) without moving the head axis: heads and tokens are mixed
def merge_heads(x):
    batch, heads, length, head_width = x.shape
    return x.reshape(
        batch, length, heads * head_width
    )  # (B, H, T, D/H) -> (B, T, D), wrong order
