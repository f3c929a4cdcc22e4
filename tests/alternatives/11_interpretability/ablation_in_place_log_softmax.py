# replaces: head_ablation_effect
# alternative: ablated run first, in-place zeroing, loss from log_softmax and gather
def head_ablation_effect(model, tokens, positions, layer, head):
    def zero_in_place(module, inputs, output):
        output[:, head].zero_()

    def mean_loss():
        logits = model(tokens)[:, :-1]  # (B, N-1, V)
        log_probs = logits.log_softmax(dim=-1)
        picked = log_probs.gather(-1, tokens[:, 1:, None]).squeeze(-1)  # (B, N-1)
        return -picked.masked_select(positions).mean()

    handle = model.layers[layer].hook_z.register_forward_hook(zero_in_place)
    try:
        with torch.no_grad():
            ablated = mean_loss()
    finally:
        handle.remove()
    with torch.no_grad():
        clean = mean_loss()
    return float(ablated - clean)
