# replaces: predict_blind_accuracy
# mistake: without positions the task is impossible, so nothing is right
PREDICTED_BLIND_ACCURACY = 0.0
