# replaces: feed_forward
# alternative: uses the layers' weights directly (x @ W.T + b) and clamp(min=0) for the ReLU
class FeedForward(nn.Module):
    """Position-wise feed-forward sublayer: linear2(dropout(relu(linear1(x))))."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (..., d_model) @ (d_model, d_ff) -> (..., d_ff)
        hidden = (x @ self.linear1.weight.T + self.linear1.bias).clamp(min=0)
        hidden = self.dropout(hidden)
        # (..., d_ff) @ (d_ff, d_model) -> (..., d_model)
        return hidden @ self.linear2.weight.T + self.linear2.bias
