# replaces: predicted_accuracy
# mistake: only the 8 kept symbols counted; the guesses at the other 8 score nothing
PREDICTED_ACCURACY = 8 / 16
