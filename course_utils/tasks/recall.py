"""The delayed-recall task and two small models that try it (taught in lesson 01_rnn_limits).

At every position t of a random token sequence, the model must output the token it saw
`distance` steps earlier, x[t - distance]. A recurrent network has to carry that token
through `distance` updates of its fixed-size state; an attention model can look straight
back at it. Training both on the same data and plotting accuracy against distance shows
how a recurrent state forgets.

    from course_utils.tasks.recall import SmallRNN, TinyAttention, recall_accuracy, train_recall
    model = SmallRNN(vocab_size=8, hidden_size=64)
    train_recall(model, distance=8, steps=300)
    print(recall_accuracy(model, distance=8))

Everything is generated here: no data is downloaded.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.tasks import IGNORE
from course_utils.timing import cpu_threads


def recall_batch(
    batch_size: int,
    seq_len: int,
    distance: int,
    vocab_size: int = 8,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
):
    """Random tokens (B, T) and targets (B, T) with targets[:, t] = tokens[:, t - distance] (lesson 01).

    Positions t < distance have nothing to recall; their target is IGNORE (-100).
    """
    if not 1 <= distance < seq_len:
        raise ValueError(
            f"distance must be in [1, seq_len), got distance={distance}, seq_len={seq_len}"
        )
    tokens = torch.randint(
        vocab_size, (batch_size, seq_len), generator=generator
    )  # (B, T)
    targets = torch.full_like(tokens, IGNORE)  # (B, T)
    targets[:, distance:] = tokens[:, :-distance]  # (B, T - distance)
    return tokens.to(device), targets.to(device)


class SmallRNN(nn.Module):
    """Token embedding -> one tanh RNN layer (h_t = tanh(x_t W_xh + h_{t-1} W_hh + b)) -> logits (lesson 01)."""

    def __init__(
        self, vocab_size: int = 8, hidden_size: int = 64, embed_size: int = 16
    ):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.RNN(
            embed_size, hidden_size, nonlinearity="tanh", batch_first=True
        )
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(self.embed(tokens))  # (B, T) -> (B, T, E) -> (B, T, H)
        return self.head(states)  # (B, T, V)


class TinyAttention(nn.Module):
    """One causal attention layer: token embeddings, a learned score per offset, then logits (lesson 01).

    The score of query t for key s is q_t . k_s / sqrt(d) + bias[t - s], with one learned
    bias per offset as in T5's relative position buckets (Raffel et al., 2020), here one
    bucket per offset. Keys after the query are masked out.
    """

    def __init__(self, vocab_size: int = 8, d_model: int = 32, max_len: int = 256):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.offset_bias = nn.Parameter(torch.zeros(max_len))
        self.head = nn.Linear(d_model, vocab_size)
        self.max_len = max_len

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        length = tokens.shape[1]
        if length > self.max_len:
            raise ValueError(
                f"sequence of length {length} is longer than max_len={self.max_len}"
            )
        x = self.embed(tokens)  # (B, T, D)
        positions = torch.arange(length, device=tokens.device)
        offsets = positions.unsqueeze(1) - positions.unsqueeze(0)  # (T, T), t - s
        bias = self.offset_bias[offsets.clamp(min=0)]  # (T, T)
        bias = bias.masked_fill(
            offsets < 0, float("-inf")
        )  # causal: no key after the query
        mixed = F.scaled_dot_product_attention(
            self.q_proj(x), self.k_proj(x), self.v_proj(x), attn_mask=bias
        )  # (B, T, D)
        return self.head(mixed)  # (B, T, V)


def train_recall(
    model: nn.Module,
    distance: int,
    steps: int = 300,
    batch_size: int = 64,
    seq_len: int = 48,
    vocab_size: int = 8,
    lr: float = 3e-3,
    seed: int = 0,
) -> list[float]:
    """Train `model` on the recall task with Adam; returns the loss of every step (lesson 01)."""
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    with cpu_threads(1):
        return _train_steps(
            model,
            optimizer,
            generator,
            distance,
            steps,
            batch_size,
            seq_len,
            vocab_size,
            device,
        )


def _train_steps(
    model,
    optimizer,
    generator,
    distance,
    steps,
    batch_size,
    seq_len,
    vocab_size,
    device,
) -> list[float]:
    losses = []
    for _ in range(steps):
        tokens, targets = recall_batch(
            batch_size, seq_len, distance, vocab_size, generator, device
        )
        logits = model(tokens)  # (B, T, V)
        loss = F.cross_entropy(
            logits.reshape(-1, vocab_size), targets.reshape(-1), ignore_index=IGNORE
        )  # (B*T, V)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def recall_accuracy(
    model: nn.Module,
    distance: int,
    batch_size: int = 256,
    seq_len: int = 48,
    vocab_size: int = 8,
    seed: int = 12345,
) -> float:
    """Fraction of positions t >= distance where the model's top token is x[t - distance] (lesson 01).

    Evaluated on fresh sequences (a different seed from training); chance is 1 / vocab_size.
    """
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    tokens, targets = recall_batch(
        batch_size, seq_len, distance, vocab_size, generator, device
    )
    model.eval()
    with cpu_threads(1):
        predictions = model(tokens).argmax(dim=-1)  # (B, T, V) -> (B, T)
    model.train()
    scored = targets != IGNORE
    return float((predictions[scored] == targets[scored]).float().mean())


def recall_curve(
    make_model, distances, steps: int = 300, seed: int = 0, **task
) -> list[float]:
    """Accuracy of a freshly made and trained model at each distance (lesson 01).

    `make_model()` returns a new untrained model; `task` passes batch_size, seq_len, vocab_size, lr.
    """
    evaluation = {key: task[key] for key in ("seq_len", "vocab_size") if key in task}
    accuracies = []
    for distance in distances:
        torch.manual_seed(seed)
        model = make_model()
        train_recall(model, distance, steps=steps, seed=seed, **task)
        accuracies.append(recall_accuracy(model, distance, **evaluation))
    return accuracies


def long_range_recall(
    length: int,
    d: int = 64,
    classes: int = 16,
    distance: int | None = None,
    batch: int = 64,
    seed: int = 0,
    sharpness: float = 4.0,
):
    """A long-range lookup: find the value stored with a key far back (lesson 08).

    Returns q (B, 1, d), k (B, L, d), v (B, L, classes) one-hot labels, and the target labels
    (B, 1), one per query: score an attention output (B, 1, classes) with `tasks.accuracy`.
    The query is the key stored `distance` positions before the end (default: the very first
    key), times `sharpness`, so exact attention can pick it out; the answer is its label.
    Position L-1 is the query's own position: a causal mask lets it see every key.
    """
    generator = torch.Generator().manual_seed(seed)
    keys = torch.randn(batch, length, d, generator=generator)  # (B, L, d)
    labels = torch.randint(0, classes, (batch, length), generator=generator)  # (B, L)
    values = F.one_hot(labels, classes).float()  # (B, L, C)
    target = length - 1 - (length - 1 if distance is None else distance)
    if not 0 <= target < length:
        raise ValueError(
            f"distance {distance} does not fit a sequence of length {length}"
        )
    query = keys[:, target : target + 1, :] * sharpness  # (B, 1, d)
    return query, keys, values, labels[:, target : target + 1]  # (B, 1)
