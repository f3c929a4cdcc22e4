# replaces: rnn_forward
# mistake: computes in NumPy and converts back, so no gradient flows
import numpy as np


def rnn_forward(x, h0, W_xh, W_hh, b):
    xs, hidden = x.detach().numpy(), h0.detach().numpy()
    states = []
    for t in range(xs.shape[1]):
        hidden = np.tanh(
            xs[:, t] @ W_xh.detach().numpy()
            + hidden @ W_hh.detach().numpy()
            + b.detach().numpy()
        )
        states.append(hidden)
    return torch.from_numpy(np.stack(states, axis=1)), torch.from_numpy(hidden)
