# replaces: head_ablation_effect
# mistake: returns clean minus ablated, so a helpful head gets a negative effect
def head_ablation_effect(model, tokens, positions, layer, head):
    def zero_head(module, inputs, output):
        output = output.clone()
        output[:, head] = 0.0
        return output

    with torch.no_grad():
        clean = next_token_losses(model(tokens), tokens)[positions].mean()
        handle = model.layers[layer].hook_z.register_forward_hook(zero_head)
        try:
            ablated = next_token_losses(model(tokens), tokens)[positions].mean()
        finally:
            handle.remove()
    return float(clean - ablated)
