# replaces: predict_blind_accuracy
# mistake: the right idea written as a percentage, not a fraction from 0 to 1
PREDICTED_BLIND_ACCURACY = 24
