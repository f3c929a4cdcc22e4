# replaces: predicted_accuracy
# mistake: a guess taken to be right half the time, as if there were two symbols
PREDICTED_ACCURACY = (8 + 8 * 0.5) / 16
