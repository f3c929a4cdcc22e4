# attack: test cells edited to `pass`, one retyped to markdown, one deleted, and the points raised to 50
# expect: 0
# problem: was edited
# problem: was deleted
# problem: points of
# problem: changed from code to markdown
# transform: tamper_tests
# --- replaces: softmax
def softmax(x, dim=-1):
    return x * 0
