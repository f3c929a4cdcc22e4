# replaces: greedy_decode
# mistake: always runs max_new_tokens steps, even after every row has written </s>
@torch.no_grad()
def greedy_decode(model, src, max_new_tokens=TARGET_LENGTH + 1):
    memory, keep = model.encode(src)
    out = torch.full((src.shape[0], 1), BOS, dtype=torch.long, device=src.device)
    finished = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
    for _ in range(max_new_tokens):
        nxt = model.decode(out, memory, keep)[:, -1].argmax(-1)  # (B,)
        nxt = nxt.masked_fill(finished, PAD)
        out = torch.cat([out, nxt[:, None]], dim=1)  # (B, t + 1)
        finished |= nxt == EOS
    return out
