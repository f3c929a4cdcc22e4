# replaces: swiglu
# mistake: takes the SiLU of the product of the two projections
def swiglu(x, w_gate, w_up, w_down):
    return F.silu((x @ w_gate) * (x @ w_up)) @ w_down  # (..., D)
