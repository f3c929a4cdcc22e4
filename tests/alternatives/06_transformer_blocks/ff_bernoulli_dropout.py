# replaces: feed_forward
# alternative: dropout written by hand, a torch.bernoulli keep-mask scaled by 1/(1-p), only in training mode
class FeedForward(nn.Module):
    """Position-wise feed-forward sublayer: linear2(dropout(relu(linear1(x))))."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.relu(self.linear1(x))  # (..., d_ff)
        p = self.dropout.p
        if self.training and p > 0:
            keep = torch.bernoulli(torch.full_like(hidden, 1 - p))  # (..., d_ff)
            hidden = hidden * keep / (1 - p)
        return self.linear2(hidden)  # (..., d_model)
