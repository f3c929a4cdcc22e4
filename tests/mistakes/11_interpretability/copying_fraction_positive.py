# replaces: copying_score
# mistake: returns the fraction of eigenvalues with a positive real part
def copying_score(circuit):
    eigenvalues = torch.linalg.eigvals(circuit)  # (..., n)
    return (eigenvalues.real > 0).float().mean(dim=-1)
