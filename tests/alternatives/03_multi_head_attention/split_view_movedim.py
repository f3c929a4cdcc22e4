# replaces: split_heads
# alternative: view with an inferred head width (-1), then movedim moves the head axis forward
def split_heads(x, num_heads):
    B, T, D = x.size()
    if D % num_heads != 0:
        raise ValueError(f"{D} is not a multiple of {num_heads}")
    return x.view(B, T, num_heads, -1).movedim(2, 1)  # (B, T, D) -> (B, H, T, D/H)
