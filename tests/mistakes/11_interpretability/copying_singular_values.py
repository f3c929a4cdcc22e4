# replaces: copying_score
# mistake: divides by the sum of the singular values instead of the eigenvalues' moduli
def copying_score(circuit):
    eigenvalues = torch.linalg.eigvals(circuit)  # (..., n)
    singular = torch.linalg.svdvals(circuit)  # (..., n)
    return eigenvalues.sum(dim=-1).real / singular.sum(dim=-1)
