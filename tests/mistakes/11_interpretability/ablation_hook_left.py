# replaces: head_ablation_effect
# mistake: never removes the hook, so the model stays ablated after the call
def head_ablation_effect(model, tokens, positions, layer, head):
    def zero_head(module, inputs, output):
        output = output.clone()  # (B, H, N, d_head)
        output[:, head] = 0.0
        return output

    with torch.no_grad():
        clean = next_token_losses(model(tokens), tokens)[positions].mean()
        model.layers[layer].hook_z.register_forward_hook(zero_head)
        ablated = next_token_losses(model(tokens), tokens)[positions].mean()
    return float(ablated - clean)
