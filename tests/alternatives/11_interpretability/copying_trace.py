# replaces: copying_score
# alternative: the sum of the eigenvalues as the trace, in float64
def copying_score(circuit):
    moduli = torch.linalg.eigvals(circuit.double()).abs()  # (..., n)
    trace = circuit.double().diagonal(dim1=-2, dim2=-1).sum(dim=-1)
    return (trace / moduli.sum(dim=-1)).to(circuit.dtype)
