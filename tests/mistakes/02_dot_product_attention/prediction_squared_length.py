# replaces: predicted_variance
# mistake: each term's variance taken as d_k, so the sum's as d_k squared
PREDICTED_VARIANCE = 256**2
