# replaces: predicted_accuracy
# alternative: worked out in the cell from named quantities
length, kept, symbols = 16, 8, 8
PREDICTED_ACCURACY = (kept + (length - kept) / symbols) / length
