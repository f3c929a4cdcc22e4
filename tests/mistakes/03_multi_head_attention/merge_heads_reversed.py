# replaces: merge_heads
# mistake: concatenates the heads in reverse order
def merge_heads(x):
    batch, heads, length, head_width = x.shape
    x = x.flip(1).transpose(1, 2)  # (B, H, T, D/H) -> (B, T, H, D/H), last head first
    return x.reshape(batch, length, heads * head_width)  # (B, T, D)
