# replaces: train_step
# alternative: torch.nn.utils.get_total_norm then clip_grads_with_norm_, the two halves of clipping
def train_step(model, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
    x, y = batch
    for p in model.parameters():
        p.grad = None
    with autocast():
        _, loss = model(x, y)
    loss.backward()
    if config.grad_clip > 0:
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        norm = torch.nn.utils.get_total_norm(grads)
        torch.nn.utils.clip_grads_with_norm_(model.parameters(), config.grad_clip, norm)
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.step()
    with torch.no_grad():
        return loss.clone().detach()
