# replaces: cached_attention
# alternative: splits with chunk and view/transpose; an additive -inf bias from triu; softmax in float64 then cast back
def cached_attention(attn, x, past=None):
    B, T, D = x.shape
    H = attn.n_head
    d = D // H
    q, k, v = attn.qkv(x).chunk(3, dim=-1)  # 3 x (B, T, D)

    def heads(t):
        return t.view(B, T, H, d).transpose(1, 2)  # (B, T, D) -> (B, H, T, D/H)

    q, k, v = heads(q), heads(k), heads(v)
    if past is not None:
        k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
    S = k.size(2)
    bias = torch.full((T, S), float("-inf"), dtype=q.dtype, device=x.device)
    bias = torch.triu(
        bias, diagonal=S - T + 1
    )  # (T, S): -inf above the offset diagonal
    scores = q @ k.transpose(2, 3) / d**0.5 + bias
    weights = torch.softmax(scores.double(), dim=-1).to(q.dtype)
    out = (weights @ v).transpose(1, 2).contiguous().view(B, T, D)
    return attn.proj(out), (k, v)
