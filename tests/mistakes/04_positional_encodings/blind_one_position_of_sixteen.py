# replaces: predict_blind_accuracy
# mistake: it attends to one of the 16 positions at random
PREDICTED_BLIND_ACCURACY = 1 / 16
