# replaces: copying_score
# mistake: uses eigvalsh, which assumes a symmetric matrix and reads only one triangle
def copying_score(circuit):
    eigenvalues = torch.linalg.eigvalsh(circuit)  # (..., n), real
    return eigenvalues.sum(dim=-1) / eigenvalues.abs().sum(dim=-1)
