# replaces: train_step
# mistake: never clips: a huge gradient throws the parameters far away
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    x, y = batch
    for group in optimizer.param_groups:
        group["lr"] = lr
    with autocast():
        _, loss = model(x, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.detach()
