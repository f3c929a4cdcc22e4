# replaces: rnn_forward
# mistake: treats dimension 0 as time (x[t]), the time-major habit, on batch-first input
def rnn_forward(x, h0, W_xh, W_hh, b):
    hidden = h0
    states = []
    for t in range(x.shape[0]):
        hidden = torch.tanh(x[t] @ W_xh + hidden @ W_hh + b)
        states.append(hidden)
    return torch.stack(states, dim=1), hidden
