# replaces: generate
# alternative: eval(), and train() again only if it was training; preallocates the output and fills it; top-k threshold from torch.sort; temperature after the filter; torch.where
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    training = model.training
    model.eval()
    batch, start = idx.shape
    out = torch.empty(batch, start + max_new_tokens, dtype=idx.dtype, device=idx.device)
    out[:, :start] = idx
    for t in range(start, start + max_new_tokens):
        first = max(0, t - model.config.block_size)
        logits, _ = model(out[:, first:t])  # (B, t - first, V)
        last = logits[:, -1, :]  # (B, V)
        if top_k is not None:
            ranked = torch.sort(last, dim=-1, descending=True).values  # (B, V)
            k = min(top_k, last.shape[-1])
            threshold = ranked[:, k - 1 : k]  # (B, 1)
            last = torch.where(
                last >= threshold, last, torch.full_like(last, -math.inf)
            )
        probs = torch.softmax(last / temperature, dim=-1)
        out[:, t] = torch.multinomial(probs, 1).squeeze(1)
    if training:
        model.train()
    return out
