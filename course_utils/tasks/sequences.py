"""Sequence-to-sequence reversal and an encoder-decoder without attention (lesson 01_rnn_limits).

The task: read a source of `length` random symbols and write it out backwards. Every
symbol is drawn independently and uniformly, so a source carries `length * log2(vocab_size)`
bits and nothing in one symbol helps to guess another.

The model, `BottleneckSeq2Seq`, is the encoder-decoder of Sutskever, Vinyals and Le (2014)
and Cho et al. (2014) without attention, cut down to what the lesson measures: a GRU
encoder reads the source and hands its final state, one vector of `hidden_size` numbers,
to a GRU decoder. The decoder's input at output step j is a learned embedding of j alone,
never a symbol, so everything it knows about the source passes through that one vector.
Training a fresh model per source length with a fixed hidden size, and measuring its
accuracy, shows what the fixed-size vector costs as the source grows.

    from course_utils.tasks.sequences import BottleneckSeq2Seq, reversal_curve
    accuracies = reversal_curve(lambda: BottleneckSeq2Seq(8, hidden_size=32), [4, 16])

Everything is generated here: no data is downloaded.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.timing import cpu_threads


def reversal_batch(
    batch_size: int,
    length: int,
    vocab_size: int = 8,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random sources (B, L) and their reversals (B, L): target[:, j] = source[:, L-1-j] (lesson 01).

    Symbols are drawn independently and uniformly from 0 .. vocab_size-1.
    """
    if length < 1 or vocab_size < 2:
        raise ValueError(
            f"reversal_batch needs length >= 1 and vocab_size >= 2, got length={length}, "
            f"vocab_size={vocab_size}"
        )
    source = torch.randint(vocab_size, (batch_size, length), generator=generator)
    target = source.flip(1)  # (B, L), position j holds source position L-1-j
    return source.to(device), target.to(device)


def source_bits(length: int, vocab_size: int = 8) -> float:
    """log2 of the number of possible sources, vocab_size ** length (lesson 01).

    The fewest bits any message must have to let a decoder rebuild every source exactly.
    """
    return length * math.log2(vocab_size)


class BottleneckSeq2Seq(nn.Module):
    """A GRU encoder and a GRU decoder joined by one vector, with no attention (lesson 01).

    forward(source (B, L)) -> logits (B, L, V). The encoder's final state (B, H) is the
    decoder's initial state and the only path from the source to the output; the decoder's
    input at step j is a learned embedding of the output position j.
    """

    def __init__(
        self,
        vocab_size: int = 8,
        hidden_size: int = 32,
        embed_size: int = 16,
        max_len: int = 64,
    ):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.encoder = nn.GRU(embed_size, hidden_size, batch_first=True)
        self.position = nn.Embedding(max_len, embed_size)
        self.decoder = nn.GRU(embed_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)
        self.max_len = max_len

    def encode(self, source: torch.Tensor) -> torch.Tensor:
        """The one vector the decoder receives: the encoder's final state (B, H)."""
        # (B, L) -> (B, L, E); final state (1, B, H)
        _, last = self.encoder(self.embed(source))
        return last.squeeze(0)  # (1, B, H) -> (B, H)

    def decode(self, vector: torch.Tensor, length: int) -> torch.Tensor:
        """Logits (B, length, V) from the vector (B, H) alone."""
        if length > self.max_len:
            raise ValueError(f"length {length} is longer than max_len={self.max_len}")
        steps = torch.arange(length, device=vector.device)
        # (L, E) -> (B, L, E): the same position inputs for every sequence
        inputs = self.position(steps).expand(vector.shape[0], -1, -1)
        # initial state (B, H) -> (1, B, H); states (B, L, H)
        states, _ = self.decoder(inputs.contiguous(), vector.unsqueeze(0).contiguous())
        return self.head(states)  # (B, L, V)

    def forward(self, source: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(source), source.shape[1])


def train_reversal(
    model: nn.Module,
    length: int,
    steps: int = 300,
    batch_size: int = 64,
    vocab_size: int = 8,
    lr: float = 1e-2,
    seed: int = 0,
    evaluate_at=(),
) -> dict[int, float]:
    """Train `model` to reverse sources of `length` symbols with Adam (lesson 01).

    Returns {step: accuracy} for every step count in `evaluate_at` (and for `steps`), so
    that one run gives the whole learning curve.
    """
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    checkpoints = sorted({*evaluate_at, steps})
    curve = {}
    with cpu_threads(1):
        model.train()
        for step in range(1, steps + 1):
            source, target = reversal_batch(
                batch_size, length, vocab_size, generator, device
            )
            logits = model(source)  # (B, L, V)
            # (B, L, V) -> (B*L, V); (B, L) -> (B*L,)
            loss = F.cross_entropy(logits.reshape(-1, vocab_size), target.reshape(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            if step in checkpoints:
                curve[step] = reversal_accuracy(model, length, vocab_size=vocab_size)
                model.train()
    return curve


@torch.no_grad()
def reversal_accuracy(
    model: nn.Module,
    length: int,
    batch_size: int = 512,
    vocab_size: int = 8,
    seed: int = 12345,
    by_position: bool = False,
):
    """Fraction of output symbols right on fresh sources (lesson 01); chance is 1 / vocab_size.

    With by_position=True, returns a list: the accuracy at each output position j.
    """
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    source, target = reversal_batch(batch_size, length, vocab_size, generator, device)
    model.eval()
    with cpu_threads(1):
        hits = model(source).argmax(dim=-1) == target  # (B, L, V) -> (B, L)
    if by_position:
        return hits.float().mean(dim=0).tolist()  # (B, L) -> (L,)
    return float(hits.float().mean())


def reversal_curve(
    make_model, lengths, steps: int = 300, seed: int = 0, **task
) -> list[float]:
    """Accuracy of a freshly made and trained model at each source length (lesson 01).

    `make_model()` returns a new untrained model; `task` passes batch_size, vocab_size, lr.
    """
    accuracies = []
    for length in lengths:
        torch.manual_seed(seed)
        model = make_model()
        curve = train_reversal(model, length, steps=steps, seed=seed, **task)
        accuracies.append(curve[steps])
    return accuracies
