# replaces: generate
# alternative: eval mode inside try/finally; probabilities in float64, drawn by inverting the cumulative distribution (torch.rand + searchsorted) instead of torch.multinomial
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    was_training = model.training
    model.train(False)
    try:
        for _ in range(max_new_tokens):
            context = idx[:, -model.config.block_size :]
            logits = model(context)[0][:, -1, :].double() / temperature  # (B, V)
            if top_k is not None:
                k = min(top_k, logits.shape[-1])
                kth = logits.topk(k, dim=-1).values.min(dim=-1, keepdim=True).values
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = (logits - logits.amax(-1, keepdim=True)).exp()
            cdf = (probs / probs.sum(-1, keepdim=True)).cumsum(-1)  # (B, V)
            u = torch.rand(cdf.shape[0], 1, dtype=cdf.dtype, device=cdf.device)
            choice = torch.searchsorted(cdf, u * cdf[:, -1:], right=True)  # (B, 1)
            choice = choice.clamp(max=cdf.shape[-1] - 1)
            idx = torch.cat([idx, choice.to(idx.dtype)], dim=1)
        return idx
    finally:
        model.train(was_training)
