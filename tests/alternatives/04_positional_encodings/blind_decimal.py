# replaces: predict_blind_accuracy
# alternative: the same reasoning, rounded to two decimals
PREDICTED_BLIND_ACCURACY = 0.24
