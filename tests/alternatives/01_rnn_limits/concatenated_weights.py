# replaces: rnn_forward
# alternative: one product per step, [x_t, h] @ [[W_xh], [W_hh]], on time-major input
def rnn_forward(x, h0, W_xh, W_hh, b):
    weights = torch.cat([W_xh, W_hh], dim=0)  # (D + H, H)
    hidden = h0
    states = []
    for x_t in x.transpose(0, 1):  # (B, T, D) -> (T, B, D): one (B, D) per step
        hidden = torch.tanh(torch.cat([x_t, hidden], dim=-1) @ weights + b)
        states.append(hidden)
    return torch.stack(states).transpose(0, 1), hidden  # (T, B, H) -> (B, T, H)
