# replaces: predicted_factor
# mistake: g = 1 read as "the gradient keeps its size": the slope of tanh is forgotten
PREDICTED_FACTOR = 1.0
