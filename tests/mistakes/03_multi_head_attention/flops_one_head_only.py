# replaces: predict_flops
# mistake: the attention of one head of width D/H counted, not of all sixteen
PREDICTED_FLOPS = 8 * 128 * 64**2 + 4 * 128**2 * (64 // 16)
