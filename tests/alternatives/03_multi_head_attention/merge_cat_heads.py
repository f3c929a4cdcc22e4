# replaces: merge_heads
# alternative: unbinds the head axis and concatenates the heads along the channels, head 0 first
def merge_heads(x):
    heads = x.unbind(dim=1)  # H tensors of (B, T, D/H)
    return torch.cat(heads, dim=-1)  # (B, T, D)
