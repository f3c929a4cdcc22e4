# replaces: train_step
# mistake: scales the gradients to norm grad_clip even when they were smaller (normalises, does not clip)
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    x, y = batch
    for group in optimizer.param_groups:
        group["lr"] = lr
    with autocast():
        _, loss = model(x, y)
    optimizer.zero_grad()
    loss.backward()
    if config.grad_clip > 0:
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        norm = torch.cat([g.flatten() for g in grads]).norm()
        for g in grads:
            g.mul_(config.grad_clip / norm)
    optimizer.step()
    return loss.detach()
