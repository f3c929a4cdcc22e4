# replaces: copying_score
# mistake: divides by the absolute values of the real parts instead of the moduli
def copying_score(circuit):
    eigenvalues = torch.linalg.eigvals(circuit).real  # (..., n)
    return eigenvalues.sum(dim=-1) / eigenvalues.abs().sum(dim=-1)
