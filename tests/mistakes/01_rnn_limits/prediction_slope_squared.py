# replaces: predicted_factor
# mistake: the mean squared slope of tanh taken as the factor on the norm, without the root
import torch

_a = torch.randn(
    200_000, dtype=torch.float64, generator=torch.Generator().manual_seed(0)
)
PREDICTED_FACTOR = (1 - torch.tanh(_a) ** 2).pow(2).mean().item()
