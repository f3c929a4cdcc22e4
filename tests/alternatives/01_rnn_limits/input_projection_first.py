# replaces: rnn_forward
# alternative: projects every input at once (x @ W_xh + b, one big product), then loops over the state only
def rnn_forward(x, h0, W_xh, W_hh, b):
    projected = x @ W_xh + b  # (B, T, D) @ (D, H) -> (B, T, H)
    hidden = h0
    states = []
    for t in range(x.shape[1]):
        hidden = torch.tanh(projected[:, t] + hidden @ W_hh)  # (B, H)
        states.append(hidden)
    return torch.stack(states, dim=1), hidden  # T x (B, H) -> (B, T, H)
