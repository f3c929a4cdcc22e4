# replaces: rnn_forward
# mistake: adds the bias after the tanh instead of inside it
def rnn_forward(x, h0, W_xh, W_hh, b):
    hidden = h0
    states = []
    for t in range(x.shape[1]):
        hidden = torch.tanh(x[:, t] @ W_xh + hidden @ W_hh) + b
        states.append(hidden)
    return torch.stack(states, dim=1), hidden
