# replaces: predicted_variance
# mistake: the product of two unit-variance numbers taken to have variance 1/2
PREDICTED_VARIANCE = 256 / 2
