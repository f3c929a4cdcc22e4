# replaces: predicted_factor
# mistake: tanh's slope at a pre-activation of variance 1 guessed as one half
PREDICTED_FACTOR = 0.5
