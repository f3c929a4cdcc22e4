# replaces: predict_blind_accuracy
# mistake: the most common token (about 3 copies) divided by the 10 token values
PREDICTED_BLIND_ACCURACY = 3 / 10
