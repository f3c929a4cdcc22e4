# replaces: train_step
# mistake: runs the forward pass outside autocast (on a GPU it would stay in float32)
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    x, y = batch
    for group in optimizer.param_groups:
        group["lr"] = lr
    _, loss = model(x, y)
    optimizer.zero_grad()
    loss.backward()
    if config.grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    optimizer.step()
    return loss.detach()
