# replaces: predicted_variance
# mistake: the variance of the scaled score q . k / sqrt(d_k), not of q . k
PREDICTED_VARIANCE = 1.0
