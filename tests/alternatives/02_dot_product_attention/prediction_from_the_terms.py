# replaces: predicted_variance
# alternative: written as the sum of d_k term variances, E[q^2] E[k^2] each
d_k = 256
PREDICTED_VARIANCE = d_k * (1.0 * 1.0)
