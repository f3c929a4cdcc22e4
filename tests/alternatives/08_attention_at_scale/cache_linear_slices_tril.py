# replaces: cached_attention
# alternative: q, k, v by F.linear on slices of the qkv weight; the offset causal mask from torch.tril(diagonal=T_past)
def cached_attention(attn, x, past=None):
    B, T, D = x.shape
    H = attn.n_head
    W, b = attn.qkv.weight, attn.qkv.bias  # (3D, D), (3D,)
    q = F.linear(x, W[:D], b[:D])  # (B, T, D)
    k = F.linear(x, W[D : 2 * D], b[D : 2 * D])
    v = F.linear(x, W[2 * D :], b[2 * D :])
    # (B, T, D) -> (B, H, T, D/H)
    q, k, v = (t.reshape(B, T, H, D // H).permute(0, 2, 1, 3) for t in (q, k, v))
    if past is not None:
        k_past, v_past = past
        k = torch.cat((k_past, k), dim=-2)  # (B, H, T_past + T, D/H)
        v = torch.cat((v_past, v), dim=-2)
    t_past = k.shape[-2] - T
    allowed = torch.ones(T, k.shape[-2], dtype=torch.bool, device=x.device)
    allowed = allowed.tril(diagonal=t_past)  # (T, T_total)
    scores = (q @ k.transpose(-1, -2)) * (D // H) ** -0.5
    scores = scores.masked_fill(~allowed, float("-inf"))
    out = scores.softmax(dim=-1) @ v  # (B, H, T, D/H)
    out = out.permute(0, 2, 1, 3).reshape(B, T, D)  # (B, T, D)
    return attn.proj(out), (k, v)
