# replaces: predicted_accuracy
# mistake: the right value, written as a percentage
PREDICTED_ACCURACY = 56.25
