# replaces: train_step
# mistake: clips the norm of each parameter's gradient on its own, not of all of them together
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    x, y = batch
    for group in optimizer.param_groups:
        group["lr"] = lr
    with autocast():
        _, loss = model(x, y)
    optimizer.zero_grad()
    loss.backward()
    if config.grad_clip > 0:
        for p in model.parameters():
            torch.nn.utils.clip_grad_norm_([p], config.grad_clip)
    optimizer.step()
    return loss.detach()
