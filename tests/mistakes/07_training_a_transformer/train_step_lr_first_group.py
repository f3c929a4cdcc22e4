# replaces: train_step
# mistake: sets the learning rate of the first parameter group only
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    x, y = batch
    optimizer.param_groups[0]["lr"] = lr
    with autocast():
        _, loss = model(x, y)
    optimizer.zero_grad()
    loss.backward()
    if config.grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    optimizer.step()
    return loss.detach()
