# replaces: head_ablation_effect
# alternative: zeroes the head's slice of the merged input of the output projection
def head_ablation_effect(model, tokens, positions, layer, head):
    size = model.layers[layer].d_head

    def zero_slice(module, inputs):
        (merged,) = inputs  # (B, N, H * d_head)
        merged = merged.clone()
        merged[..., head * size : (head + 1) * size] = 0.0
        return (merged,)

    with torch.no_grad():
        clean = next_token_losses(model(tokens), tokens)[positions].mean()
        handle = model.layers[layer].out.register_forward_pre_hook(zero_slice)
        try:
            ablated = next_token_losses(model(tokens), tokens)[positions].mean()
        finally:
            handle.remove()
    return float(ablated) - float(clean)
