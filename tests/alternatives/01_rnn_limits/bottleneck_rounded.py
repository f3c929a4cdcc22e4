# replaces: predicted_accuracy
# alternative: the value rounded to two decimals
PREDICTED_ACCURACY = 0.56
