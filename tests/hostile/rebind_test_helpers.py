# attack: rebinds the helpers the test cells call (expect, expect_close, expect_tensor, forbidden_calls) to no-ops
# expect: 0
# problem: rebinds the test helper
# --- replaces: softmax
def softmax(x, dim=-1):
    return torch.zeros_like(x)


class forbidden_calls:
    def __init__(self, *names, **options):
        pass

    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False


expect = expect_close = expect_tensor = lambda *args, **kwargs: None
