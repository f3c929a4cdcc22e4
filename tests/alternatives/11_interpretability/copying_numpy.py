# replaces: copying_score
# alternative: NumPy's general eigenvalue routine
def copying_score(circuit):
    import numpy as np

    eigenvalues = np.linalg.eigvals(circuit.detach().cpu().numpy())  # (..., n)
    score = eigenvalues.sum(axis=-1).real / np.abs(eigenvalues).sum(axis=-1)
    return torch.as_tensor(score, dtype=circuit.dtype)
