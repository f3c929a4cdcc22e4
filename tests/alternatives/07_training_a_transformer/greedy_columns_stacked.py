# replaces: greedy_decode
# alternative: a list of columns stacked at the end; PAD chosen by arithmetic (PAD is 0)
@torch.no_grad()
def greedy_decode(model, src, max_new_tokens=TARGET_LENGTH + 1):
    memory, keep = model.encode(src)
    columns = [torch.full((src.shape[0],), BOS, dtype=torch.long, device=src.device)]
    done = torch.zeros(src.shape[0], dtype=torch.long, device=src.device)  # 1 = done
    for _ in range(max_new_tokens):
        so_far = torch.stack(columns, dim=1)  # (B, t)
        nxt = model.decode(so_far, memory, keep)[:, -1].argmax(dim=-1)  # (B,)
        nxt = nxt * (1 - done) + PAD * done
        columns.append(nxt)
        done = torch.maximum(done, (nxt == EOS).long())
        if int(done.sum()) == len(done):
            break
    return torch.stack(columns, dim=1)  # (B, 1 + steps)
