# replaces: swiglu
# alternative: SiLU written as z * sigmoid(z)
def swiglu(x, w_gate, w_up, w_down):
    gate = x @ w_gate  # (..., H)
    hidden = gate * torch.sigmoid(gate) * (x @ w_up)  # (..., H)
    return hidden @ w_down  # (..., D)
