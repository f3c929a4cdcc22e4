# replaces: generate
# alternative: eval mode by a context manager of its own; top-k by torch.topk + scatter into a row of -inf; draws with torch.distributions.Categorical
@contextlib.contextmanager
def evaluating(module):
    previous = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(previous)


@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    block = model.config.block_size
    with evaluating(model):
        for _ in range(max_new_tokens):
            logits = model(idx[:, -block:])[0][:, -1]  # (B, V)
            logits = logits / temperature
            if top_k is not None and top_k < logits.shape[-1]:
                values, indices = torch.topk(logits, top_k, dim=-1)  # (B, k) each
                kept = torch.full_like(logits, float("-inf"))
                logits = kept.scatter(-1, indices, values)  # (B, V)
            nxt = torch.distributions.Categorical(logits=logits).sample()  # (B,)
            idx = torch.cat([idx, nxt.unsqueeze(1)], dim=1)  # (B, T + 1)
        return idx
