# replaces: predict_flops
# mistake: every head attends at the full width D, so the attention work grows with H
PREDICTED_FLOPS = 8 * 128 * 64**2 + 16 * 4 * 128**2 * 64
