# replaces: cached_attention
# mistake: never prepends the cached keys and values, so new tokens see only themselves
def cached_attention(attn, x, past=None):
    batch, length, width = x.shape
    heads, head_dim = attn.n_head, width // attn.n_head
    q, k, v = attn.qkv(x).split(width, dim=-1)
    q = q.view(batch, length, heads, head_dim).transpose(1, 2)
    k = k.view(batch, length, heads, head_dim).transpose(1, 2)
    v = v.view(batch, length, heads, head_dim).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)
    allowed = torch.ones(length, length, dtype=torch.bool).tril()
    scores = scores.masked_fill(~allowed, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    out = out.transpose(1, 2).reshape(batch, length, width)
    return attn.proj(out), (k, v)
