# replaces: predicted_factor
# alternative: a prediction near the edge of the stated tolerance (0.64 - 0.115)
PREDICTED_FACTOR = 0.525
