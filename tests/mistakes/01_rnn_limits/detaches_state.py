# replaces: rnn_forward
# mistake: detaches the state at every step, so no gradient flows back through time
def rnn_forward(x, h0, W_xh, W_hh, b):
    hidden = h0
    states = []
    for t in range(x.shape[1]):
        hidden = torch.tanh(x[:, t] @ W_xh + hidden.detach() @ W_hh + b)
        states.append(hidden)
    return torch.stack(states, dim=1), hidden
