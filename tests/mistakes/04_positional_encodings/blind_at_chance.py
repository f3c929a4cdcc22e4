# replaces: predict_blind_accuracy
# mistake: without positions it can only guess, so chance: one in 10 token values
PREDICTED_BLIND_ACCURACY = 0.1
