# replaces: scaled_dot_product_attention
# alternative: scales q before the product (q / sqrt(d_k)) and uses .mT; F.softmax
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    q = q / math.sqrt(q.shape[-1])  # a new tensor; the caller's q is unchanged
    scores = q @ k.mT  # (..., Lq, d_k) @ (..., d_k, Lk) -> (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), -math.inf)
    weights = F.softmax(scores, dim=-1)
    return weights @ v, weights
