# replaces: split_heads
# alternative: cuts the channels into H contiguous chunks and stacks them on a new head axis
def split_heads(x, num_heads):
    if x.shape[-1] % num_heads:
        raise ValueError("d_model must be divisible by num_heads")
    chunks = x.chunk(num_heads, dim=-1)  # H tensors of (B, T, D/H)
    return torch.stack(chunks, dim=1)  # (B, H, T, D/H)
