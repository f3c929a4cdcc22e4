# replaces: head_ablation_effect
# mistake: zeroes every head of the layer instead of the one asked for
def head_ablation_effect(model, tokens, positions, layer, head):
    def zero_layer(module, inputs, output):
        return torch.zeros_like(output)

    with torch.no_grad():
        clean = next_token_losses(model(tokens), tokens)[positions].mean()
        handle = model.layers[layer].hook_z.register_forward_hook(zero_layer)
        try:
            ablated = next_token_losses(model(tokens), tokens)[positions].mean()
        finally:
            handle.remove()
    return float(ablated - clean)
