# replaces: greedy_decode
# alternative: runs the whole model (encoder again) each step; checks for the end at the loop's top
@torch.no_grad()
def greedy_decode(model, src, max_new_tokens=TARGET_LENGTH + 1):
    out = torch.full((len(src), 1), BOS, dtype=torch.long, device=src.device)  # (B, 1)
    for _ in range(max_new_tokens):
        if (out == EOS).any(dim=1).all():
            break
        logits = model(src, out)  # (B, t, vocab)
        nxt = logits[:, -1, :].max(dim=-1).indices  # (B,)
        nxt = torch.where((out == EOS).any(dim=1), torch.full_like(nxt, PAD), nxt)
        out = torch.cat((out, nxt.unsqueeze(1)), dim=1)  # (B, t + 1)
    return out
