# replaces: predict_flops
# mistake: only the three input projections counted, not out_proj (12.5% low)
PREDICTED_FLOPS = 3 * 2 * 128 * 64**2 + 4 * 128**2 * 64
