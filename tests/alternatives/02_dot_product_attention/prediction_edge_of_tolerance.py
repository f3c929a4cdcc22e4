# replaces: predicted_variance
# alternative: a round prediction near the edge of the stated tolerance (within 10%)
PREDICTED_VARIANCE = 2.4e2
