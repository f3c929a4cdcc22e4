# replaces: copying_score
# mistake: takes the eigenvalues of the symmetric part (M + M^T) / 2 to keep them real
def copying_score(circuit):
    symmetric = (circuit + circuit.transpose(-2, -1)) / 2
    eigenvalues = torch.linalg.eigvalsh(symmetric)  # (..., n)
    return eigenvalues.sum(dim=-1) / eigenvalues.abs().sum(dim=-1)
