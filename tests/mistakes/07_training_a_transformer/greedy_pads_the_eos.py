# replaces: greedy_decode
# mistake: marks a row finished before writing its token, so its </s> itself becomes PAD
@torch.no_grad()
def greedy_decode(model, src, max_new_tokens=TARGET_LENGTH + 1):
    memory, keep = model.encode(src)
    out = torch.full((src.shape[0], 1), BOS, dtype=torch.long, device=src.device)
    finished = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
    for _ in range(max_new_tokens):
        nxt = model.decode(out, memory, keep)[:, -1].argmax(-1)  # (B,)
        finished |= nxt == EOS
        out = torch.cat([out, nxt.masked_fill(finished, PAD)[:, None]], dim=1)
        if finished.all():
            break
    return out
