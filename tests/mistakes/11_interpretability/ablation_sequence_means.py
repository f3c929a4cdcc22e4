# replaces: head_ablation_effect
# mistake: averages each sequence's marked losses first, then the sequences
def head_ablation_effect(model, tokens, positions, layer, head):
    def zero_head(module, inputs, output):
        output = output.clone()
        output[:, head] = 0.0
        return output

    def mean_loss():
        losses = next_token_losses(model(tokens), tokens) * positions  # (B, N-1)
        counts = positions.sum(dim=1)  # (B,)
        keep = counts > 0
        return (losses.sum(dim=1)[keep] / counts[keep]).mean()

    with torch.no_grad():
        clean = mean_loss()
        handle = model.layers[layer].hook_z.register_forward_hook(zero_head)
        try:
            ablated = mean_loss()
        finally:
            handle.remove()
    return float(ablated - clean)
