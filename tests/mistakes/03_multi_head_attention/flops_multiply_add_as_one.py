# replaces: predict_flops
# mistake: a multiply-add counted as one operation: half the count
PREDICTED_FLOPS = 4 * 128 * 64**2 + 2 * 128**2 * 64
