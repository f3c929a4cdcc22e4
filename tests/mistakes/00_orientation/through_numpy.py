# replaces: softmax
# mistake: computes in NumPy and converts back, so no gradient flows
import numpy as np


def softmax(x, dim=-1):
    values = x.detach().cpu().numpy()
    exps = np.exp(values - values.max(axis=dim, keepdims=True))
    return torch.from_numpy(exps / exps.sum(axis=dim, keepdims=True))
