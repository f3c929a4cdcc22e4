# replaces: merge_heads
# alternative: movedim then reshape with an inferred width (-1)
def merge_heads(x):
    batch, _, length, _ = x.shape
    return x.movedim(1, 2).reshape(batch, length, -1)  # (B, T, H, D/H) -> (B, T, D)
