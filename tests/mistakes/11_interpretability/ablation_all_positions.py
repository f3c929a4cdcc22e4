# replaces: head_ablation_effect
# mistake: averages the loss over every prediction, ignoring `positions`
def head_ablation_effect(model, tokens, positions, layer, head):
    def zero_head(module, inputs, output):
        output = output.clone()
        output[:, head] = 0.0
        return output

    with torch.no_grad():
        clean = next_token_losses(model(tokens), tokens).mean()
        handle = model.layers[layer].hook_z.register_forward_hook(zero_head)
        try:
            ablated = next_token_losses(model(tokens), tokens).mean()
        finally:
            handle.remove()
    return float(ablated - clean)
