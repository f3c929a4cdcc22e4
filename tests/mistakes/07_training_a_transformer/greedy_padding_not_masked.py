# replaces: greedy_decode
# mistake: lets the decoder attend to the padding (a mask of all True instead of keep)
@torch.no_grad()
def greedy_decode(model, src, max_new_tokens=TARGET_LENGTH + 1):
    memory, _ = model.encode(src)
    everywhere = torch.ones_like(src, dtype=torch.bool)[
        :, None, None, :
    ]  # (B, 1, 1, S)
    out = torch.full((src.shape[0], 1), BOS, dtype=torch.long, device=src.device)
    finished = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
    for _ in range(max_new_tokens):
        nxt = model.decode(out, memory, everywhere)[:, -1].argmax(-1)  # (B,)
        nxt = nxt.masked_fill(finished, PAD)
        out = torch.cat([out, nxt[:, None]], dim=1)  # (B, t + 1)
        finished |= nxt == EOS
        if finished.all():
            break
    return out
