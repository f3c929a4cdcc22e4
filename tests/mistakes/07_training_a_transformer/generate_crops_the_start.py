# replaces: generate
# mistake: keeps the first block_size tokens instead of the last
@torch.no_grad()
def generate(
    model,
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
):
    """Append `max_new_tokens` sampled tokens to idx (B, T); returns (B, T + max_new_tokens)."""
    was_training = model.training
    model.eval()
    for _ in range(max_new_tokens):
        context = idx[:, : model.config.block_size]  # (B, <= block_size)
        logits, _ = model(context)  # (B, T', V)
        logits = logits[:, -1, :] / temperature  # (B, V): the last position only
        if top_k is not None:
            k = min(top_k, logits.shape[-1])
            kth = torch.topk(logits, k, dim=-1).values[
                :, [-1]
            ]  # (B, 1): the k-th largest per row
            logits = logits.masked_fill(logits < kth, float("-inf"))
        probabilities = torch.softmax(logits, dim=-1)  # (B, V)
        following = torch.multinomial(probabilities, num_samples=1)  # (B, 1)
        idx = torch.cat([idx, following], dim=1)  # (B, T) -> (B, T + 1)
    model.train(was_training)
    return idx
