# replaces: predicted_variance
# mistake: the standard deviation sqrt(d_k) given for the variance
PREDICTED_VARIANCE = 16
