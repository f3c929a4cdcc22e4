# replaces: predict_blind_accuracy
# alternative: a quarter, as a fraction of two ints
PREDICTED_BLIND_ACCURACY = 1 / 4
