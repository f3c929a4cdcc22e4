# attack: an endless loop in the solution cell
# expect: 0
# problem: time limit per cell
# --- replaces: softmax
while True:
    pass


def softmax(x, dim=-1):
    return torch.exp(x) / torch.exp(x).sum(dim=dim, keepdim=True)
