# replaces: swiglu
# mistake: uses GELU (GEGLU) instead of SiLU on the gate
def swiglu(x, w_gate, w_up, w_down):
    return (F.gelu(x @ w_gate) * (x @ w_up)) @ w_down  # (..., D)
