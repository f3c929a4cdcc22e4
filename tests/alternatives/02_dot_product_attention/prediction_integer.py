# replaces: predicted_variance
# alternative: the exact value as an int
PREDICTED_VARIANCE = 256
