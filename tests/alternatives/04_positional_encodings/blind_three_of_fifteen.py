# replaces: predict_blind_accuracy
# alternative: the most common of the other 15 tokens rounded to 3 copies (0.041 low)
PREDICTED_BLIND_ACCURACY = 3 / 15
