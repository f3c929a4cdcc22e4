# replaces: train_step
# alternative: the total norm and the scaling written out; gradients zeroed in place by the model
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    inputs, targets = batch  # (B, T) each
    model.zero_grad(set_to_none=False)
    for group in optimizer.param_groups:
        group["lr"] = lr
    with autocast():
        loss = model(inputs, targets)[1]
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    total = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
    if config.grad_clip > 0 and total > config.grad_clip:
        scale = config.grad_clip / (total + 1e-6)
        for g in grads:
            g.mul_(scale.to(g.dtype))
    optimizer.step()
    return loss.detach().clone()
