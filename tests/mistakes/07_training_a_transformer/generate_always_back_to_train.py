# replaces: generate
# mistake: switches to eval mode, then always back to training mode, even for a model that came in eval mode
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    model.eval()
    for _ in range(max_new_tokens):
        context = idx[:, -model.config.block_size :]  # (B, <= block_size)
        logits, _ = model(context)  # (B, T', V)
        logits = logits[:, -1, :] / temperature  # (B, V)
        if top_k is not None:
            k = min(top_k, logits.shape[-1])
            kth = torch.topk(logits, k, dim=-1).values[:, [-1]]  # (B, 1)
            logits = logits.masked_fill(logits < kth, float("-inf"))
        probabilities = torch.softmax(logits, dim=-1)  # (B, V)
        following = torch.multinomial(probabilities, num_samples=1)  # (B, 1)
        idx = torch.cat([idx, following], dim=1)  # (B, T) -> (B, T + 1)
    model.train()
    return idx
