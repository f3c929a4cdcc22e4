# replaces: rnn_forward
# mistake: off by one in time: step t reads x[:, t - 1] (so step 0 reads the last input)
def rnn_forward(x, h0, W_xh, W_hh, b):
    hidden = h0
    states = []
    for t in range(x.shape[1]):
        hidden = torch.tanh(x[:, t - 1] @ W_xh + hidden @ W_hh + b)
        states.append(hidden)
    return torch.stack(states, dim=1), hidden
