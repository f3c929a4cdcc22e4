# replaces: feed_forward
# alternative: the named layers are also held in an nn.Sequential with nn.ReLU, which forward runs
class FeedForward(nn.Module):
    """Position-wise feed-forward sublayer: linear2(dropout(relu(linear1(x))))."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.net = nn.Sequential(self.linear1, nn.ReLU(), self.dropout, self.linear2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # (..., d_model) -> (..., d_ff) -> (..., d_model)
