# replaces: softmax
# mistake: hides the built-in behind an alias import
from torch import softmax as _stable


def softmax(x, dim=-1):
    return _stable(x, dim)
