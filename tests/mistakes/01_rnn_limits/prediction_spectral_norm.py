# replaces: predicted_factor
# mistake: the largest stretch of a random matrix (about 2g) taken for the typical one
PREDICTED_FACTOR = 2 * 1.0 * 0.6
