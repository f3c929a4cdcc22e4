# replaces: predicted_accuracy
# mistake: a source longer than the vector read as "the decoder can only guess"
PREDICTED_ACCURACY = 1 / 8
