# replaces: predict_flops
# mistake: the scores counted but not the weighted sum of the values (25% low)
PREDICTED_FLOPS = 8 * 128 * 64**2 + 2 * 128**2 * 64
