# replaces: predicted_accuracy
# alternative: the exact value as a fraction
PREDICTED_ACCURACY = 9 / 16
