# replaces: feed_forward
# alternative: F.relu and F.dropout with the module's rate and training flag
class FeedForward(nn.Module):
    """Position-wise feed-forward sublayer: linear2(dropout(relu(linear1(x))))."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = F.relu(self.linear1(x))  # (..., d_ff)
        hidden = F.dropout(hidden, p=self.dropout.p, training=self.training)
        return self.linear2(hidden)  # (..., d_model)
