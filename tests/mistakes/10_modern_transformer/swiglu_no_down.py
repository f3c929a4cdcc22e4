# replaces: swiglu
# mistake: forgets the down projection and returns the hidden layer
def swiglu(x, w_gate, w_up, w_down):
    return F.silu(x @ w_gate) * (x @ w_up)  # (..., H)
