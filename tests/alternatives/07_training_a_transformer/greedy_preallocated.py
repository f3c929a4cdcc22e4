# replaces: greedy_decode
# alternative: a preallocated block of PAD filled column by column, cut to the steps taken
@torch.no_grad()
def greedy_decode(model, src, max_new_tokens=TARGET_LENGTH + 1):
    memory, keep = model.encode(src)  # (B, S, D), (B, 1, 1, S)
    ids = torch.full(
        (src.shape[0], 1 + max_new_tokens), PAD, dtype=torch.long, device=src.device
    )  # (B, 1 + max_new_tokens)
    ids[:, 0] = BOS
    alive = torch.ones(src.shape[0], dtype=torch.bool, device=src.device)  # (B,)
    steps = 0
    while steps < max_new_tokens and alive.any():
        logits = model.decode(ids[:, : steps + 1], memory, keep)  # (B, t, vocab)
        best = torch.softmax(logits[:, -1], dim=-1).argmax(dim=-1)  # (B,)
        ids[:, steps + 1] = torch.where(alive, best, PAD)
        alive = alive & (best != EOS)
        steps += 1
    return ids[:, : steps + 1]
