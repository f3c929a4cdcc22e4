# replaces: swiglu
# mistake: applies SiLU to the up projection and uses the gate projection as the value
def swiglu(x, w_gate, w_up, w_down):
    return (F.silu(x @ w_up) * (x @ w_gate)) @ w_down  # (..., D)
