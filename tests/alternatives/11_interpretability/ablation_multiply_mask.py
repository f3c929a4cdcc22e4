# replaces: head_ablation_effect
# alternative: multiplies the heads' outputs by a (H,) mask, sums the losses in float64
def head_ablation_effect(model, tokens, positions, layer, head):
    keep = torch.ones(model.layers[layer].n_heads)
    keep[head] = 0.0

    def scale(module, inputs, output):
        return output * keep.to(output.dtype)[None, :, None, None]

    def mean_loss():
        losses = next_token_losses(model(tokens), tokens).double()  # (B, N-1)
        return losses[positions].sum() / positions.sum()

    with torch.no_grad():
        clean = mean_loss()
        handle = model.layers[layer].hook_z.register_forward_hook(scale)
        try:
            ablated = mean_loss()
        finally:
            handle.remove()
    return (ablated - clean).item()
