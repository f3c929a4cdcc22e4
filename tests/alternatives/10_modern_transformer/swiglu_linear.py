# replaces: swiglu
# alternative: F.linear with transposed weights, and one fused projection for gate and up
def swiglu(x, w_gate, w_up, w_down):
    both = F.linear(x, torch.cat([w_gate, w_up], dim=1).T)  # (..., 2H)
    gate, up = both.chunk(2, dim=-1)  # (..., H) each
    return F.linear(F.silu(gate) * up, w_down.T)  # (..., D)
