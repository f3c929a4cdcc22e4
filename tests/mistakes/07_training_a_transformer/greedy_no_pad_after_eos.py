# replaces: greedy_decode
# mistake: stops when all rows are done but lets finished rows keep writing after their </s>
@torch.no_grad()
def greedy_decode(model, src, max_new_tokens=TARGET_LENGTH + 1):
    memory, keep = model.encode(src)
    out = torch.full((src.shape[0], 1), BOS, dtype=torch.long, device=src.device)
    for _ in range(max_new_tokens):
        nxt = model.decode(out, memory, keep)[:, -1].argmax(-1)  # (B,)
        out = torch.cat([out, nxt[:, None]], dim=1)  # (B, t + 1)
        if (out == EOS).any(dim=1).all():
            break
    return out
