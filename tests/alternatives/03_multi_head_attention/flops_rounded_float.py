# replaces: predict_flops
# alternative: rounded to two significant figures, as a float
PREDICTED_FLOPS = 8.4e6
