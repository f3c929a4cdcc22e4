# replaces: rnn_forward
# alternative: preallocates with torch.empty(..., dtype=x.dtype, device=x.device); h_last read back
def rnn_forward(x, h0, W_xh, W_hh, b):
    batch, steps, _ = x.size()
    hidden_size = h0.size(-1)
    outputs = torch.empty(batch, steps, hidden_size, dtype=x.dtype, device=x.device)
    h = h0
    for t in range(steps):
        h = (x[:, t, :] @ W_xh + h @ W_hh + b).tanh()
        outputs[:, t, :] = h
    return outputs, outputs[:, -1]
