# replaces: merge_heads
# alternative: permute, .contiguous(), then view (nanoGPT's way)
def merge_heads(x):
    B, H, T, W = x.shape
    x = x.permute(0, 2, 1, 3).contiguous()  # (B, H, T, D/H) -> (B, T, H, D/H)
    return x.view(B, T, H * W)  # (B, T, H, D/H) -> (B, T, D)
