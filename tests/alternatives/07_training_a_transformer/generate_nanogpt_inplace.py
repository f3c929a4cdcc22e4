# replaces: generate
# alternative: model.eval() then model.train(mode) at the end; nanoGPT's loop: v, _ = torch.topk, then logits[logits < v[:, [-1]]] = -inf in place, F.softmax
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    mode = model.training
    model.eval()
    for _ in range(max_new_tokens):
        idx_cond = (
            idx
            if idx.size(1) <= model.config.block_size
            else idx[:, -model.config.block_size :]
        )
        logits, _ = model(idx_cond)
        logits = logits[:, -1, :] / temperature  # (B, V)
        if top_k is not None:
            v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
            logits[logits < v[:, [-1]]] = -float("Inf")
        probs = F.softmax(logits, dim=-1)
        idx_next = torch.multinomial(probs, num_samples=1)  # (B, 1)
        idx = torch.cat((idx, idx_next), dim=1)
    model.train(mode)
    return idx
