# replaces: predicted_factor
# alternative: a round guess written as a fraction, "about two thirds"
PREDICTED_FACTOR = 2 / 3
