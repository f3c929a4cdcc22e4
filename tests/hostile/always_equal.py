# attack: returns objects that compare equal to everything (a tensor subclass and a duck-typed impostor)
# expect: 0
# problem: defines __eq__
# --- replaces: softmax
class Agreeable(torch.Tensor):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    def __sub__(self, other):
        return torch.zeros_like(torch.Tensor(other))


def softmax(x, dim=-1):
    return (x * 0).as_subclass(Agreeable)
