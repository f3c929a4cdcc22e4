# replaces: feed_forward
# alternative: dropout before the ReLU: relu(dropout(h)) equals dropout(relu(h)), as dropout only zeroes or scales by 1/(1-p) > 0
class FeedForward(nn.Module):
    """Position-wise feed-forward sublayer: linear2(dropout(relu(linear1(x))))."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)
        self.activation = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.activation(self.dropout(self.linear1(x))))
