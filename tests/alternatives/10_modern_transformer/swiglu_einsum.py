# replaces: swiglu
# alternative: einsum for the three projections
def swiglu(x, w_gate, w_up, w_down):
    gate = torch.einsum("...d,dh->...h", x, w_gate)  # (..., H)
    up = torch.einsum("...d,dh->...h", x, w_up)  # (..., H)
    return torch.einsum("...h,hd->...d", F.silu(gate) * up, w_down)  # (..., D)
