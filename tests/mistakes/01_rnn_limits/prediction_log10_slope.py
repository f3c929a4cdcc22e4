# replaces: predicted_factor
# mistake: the slope of log10(norm) per step given instead of the factor per step
PREDICTED_FACTOR = -0.19
