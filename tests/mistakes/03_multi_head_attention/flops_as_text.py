# replaces: predict_flops
# mistake: the prediction written as text, not a number
PREDICTED_FLOPS = "about 8.4 million"
