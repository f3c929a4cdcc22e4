# replaces: predict_flops
# alternative: the count as an integer literal
PREDICTED_FLOPS = 8_388_608
