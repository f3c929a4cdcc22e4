# replaces: rnn_forward
# mistake: tanh in the wrong place: applied to the previous state instead of the new sum
def rnn_forward(x, h0, W_xh, W_hh, b):
    hidden = h0
    states = []
    for t in range(x.shape[1]):
        hidden = x[:, t] @ W_xh + torch.tanh(hidden) @ W_hh + b
        states.append(hidden)
    return torch.stack(states, dim=1), hidden
