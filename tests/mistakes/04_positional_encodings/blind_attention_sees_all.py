# replaces: predict_blind_accuracy
# mistake: attention sees every token, so it still finds the right one
PREDICTED_BLIND_ACCURACY = 1.0
