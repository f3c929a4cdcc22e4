# replaces: merge_heads
# mistake: puts the head axis after the channel axis, so the heads' channels come out interleaved, not in order
def merge_heads(x):
    batch, heads, length, head_width = x.shape
    x = x.permute(0, 2, 3, 1)  # (B, H, T, D/H) -> (B, T, D/H, H)
    return x.reshape(
        batch, length, heads * head_width
    )  # (B, T, D), channels interleaved
