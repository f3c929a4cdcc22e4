# replaces: softmax
# mistake: calls the built-in softmax instead of writing it
def softmax(x, dim=-1):
    return torch.nn.functional.softmax(x, dim=dim)
