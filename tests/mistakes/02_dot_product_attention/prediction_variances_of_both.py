# replaces: predicted_variance
# mistake: Var(q_i k_i) taken as Var(q_i) + Var(k_i) = 2, so the sum's as 2 d_k
PREDICTED_VARIANCE = 2 * 256
