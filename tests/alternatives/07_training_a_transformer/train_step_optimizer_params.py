# replaces: train_step
# alternative: clips the optimizer's own parameters (foreach), sets the rate after backward
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    x, y = batch
    optimizer.zero_grad()
    with autocast():
        logits, loss = model(x, y)
    loss.backward()
    params = [p for group in optimizer.param_groups for p in group["params"]]
    if config.grad_clip:
        torch.nn.utils.clip_grad_norm_(params, max_norm=config.grad_clip, foreach=True)
    for group in optimizer.param_groups:
        group.update(lr=lr)
    optimizer.step()
    return torch.tensor(loss.item())
