# replaces: predicted_accuracy
# mistake: the chance level 1/8 added to the share kept, not weighted by the guessed share
PREDICTED_ACCURACY = 8 / 16 + 1 / 8
