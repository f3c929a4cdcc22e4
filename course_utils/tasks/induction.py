"""Repeated random segments and a two-layer attention-only transformer (lesson 11).

Lesson 11_interpretability trains the model below on sequences that contain a random
segment twice, and looks inside it for the induction head that Olsson et al. (2022,
"In-context Learning and Induction Heads") describe: a head that finds the earlier
occurrence of the current token and predicts the token that followed it.

A sequence of `seq_len` tokens holds a random segment of `S` tokens at positions 0..S-1,
the same segment again at S..2S-1, and random filler after it. `S` is drawn for each
sequence, so no fixed position tells where the copy starts: only the content does.

    from course_utils.tasks.induction import (
        AttentionOnlyTransformer, next_token_losses, repeated_segments, train_induction,
    )

    batch = repeated_segments(64, seq_len=48, vocab_size=26, seed=0)
    model = AttentionOnlyTransformer(vocab_size=26, max_len=48)
    losses = next_token_losses(model(batch.tokens), batch.tokens)  # (64, 47)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # token i is drawn as LETTERS[i]


@dataclass
class SegmentBatch:
    """A batch of repeated-segment sequences (lesson 11).

    tokens (B, N) long; segment_lengths (B,) long; first (B, N-1) and repeat (B, N-1)
    bool mark the predictions (the output at position t predicts token t+1) whose target
    lies in the first copy or in the second copy, from the segment's second token on.
    Those two masks cover the same offsets inside the segment, so their losses compare
    directly.
    """

    tokens: torch.Tensor
    segment_lengths: torch.Tensor
    first: torch.Tensor
    repeat: torch.Tensor


def _generator(seed: int | None, generator: torch.Generator | None) -> torch.Generator:
    if generator is not None:
        return generator
    return torch.Generator().manual_seed(0 if seed is None else seed)


def repeated_segments(
    batch: int,
    seq_len: int = 48,
    vocab_size: int = 26,
    min_segment: int = 12,
    max_segment: int = 24,
    seed: int | None = None,
    generator: torch.Generator | None = None,
) -> SegmentBatch:
    """Sequences holding a random segment twice, then random filler (lesson 11).

    The segment length S is drawn uniformly from min_segment..max_segment for each
    sequence; tokens are uniform over 0..vocab_size-1.
    """
    if not 2 <= min_segment <= max_segment or 2 * max_segment > seq_len:
        raise ValueError(
            "repeated_segments needs 2 <= min_segment <= max_segment and "
            f"2 * max_segment <= seq_len, got {min_segment}, {max_segment}, {seq_len}"
        )
    gen = _generator(seed, generator)
    tokens = torch.randint(0, vocab_size, (batch, seq_len), generator=gen)  # (B, N)
    lengths = torch.randint(
        min_segment, max_segment + 1, (batch,), generator=gen
    )  # (B,)
    positions = torch.arange(seq_len)  # (N,)
    # (B, N): position p of the second copy repeats position p - S
    in_copy = (positions >= lengths[:, None]) & (positions < 2 * lengths[:, None])
    source = torch.where(in_copy, positions - lengths[:, None], positions)  # (B, N)
    tokens = tokens.gather(1, source)  # (B, N)
    targets = positions[1:]  # (N-1,): the position each prediction is scored on
    first = (targets >= 1) & (targets < lengths[:, None])  # (B, N-1)
    repeat = (targets >= lengths[:, None] + 1) & (targets < 2 * lengths[:, None])
    return SegmentBatch(tokens, lengths, first, repeat)


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention, hookable at the heads' outputs (lesson 11).

    `qkv` projects to queries, keys and values at once; `hook_z` is an identity module
    applied to the heads' outputs, shape (B, H, N, d_head), before they are merged and
    projected by `out`, so that a forward hook can read or change one head. With
    `fused = True` (the default) the weights are never formed: PyTorch's fused
    `scaled_dot_product_attention` computes the output directly.
    """

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model {d_model} is not divisible by n_heads {n_heads}")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out = nn.Linear(d_model, d_model, bias=False)
        self.hook_z = nn.Identity()
        self.fused = True

    def split(self, qkv: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(B, N, 3D) projections -> q, k, v, each (B, H, N, d_head)."""
        batch, length, _ = qkv.shape
        # (B, N, 3D) -> (3, B, H, N, d_head)
        parts = qkv.view(batch, length, 3, self.n_heads, self.d_head).permute(
            2, 0, 3, 1, 4
        )
        return parts[0], parts[1], parts[2]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.split(self.qkv(x))  # (B, H, N, d_head) each
        if self.fused:
            z = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            z = causal_weights(q, k) @ v  # (B, H, N, d_head)
        z = self.hook_z(z)  # (B, H, N, d_head)
        batch, _, length, _ = z.shape
        merged = z.transpose(1, 2).reshape(batch, length, -1)  # (B, N, D)
        return self.out(merged)


def causal_weights(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """softmax(q k^T / sqrt(d_head)) with a causal mask: (B, H, N, N) (lesson 11)."""
    length = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, N, N)
    allowed = torch.ones(length, length, dtype=torch.bool, device=q.device).tril()
    return scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1)


class AttentionOnlyTransformer(nn.Module):
    """Embeddings, attention layers with residuals, an unembedding (lesson 11).

    Token and learned position embeddings; no MLP and no layer norm, as in the
    attention-only models of Elhage et al. (2021, "A Mathematical Framework for
    Transformer Circuits"): every path from input to logits goes through embeddings,
    attention heads and the unembedding only.
    """

    def __init__(
        self,
        vocab_size: int = 26,
        max_len: int = 48,
        d_model: int = 32,
        n_layers: int = 2,
        n_heads: int = 2,
    ):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.layers = nn.ModuleList(
            CausalSelfAttention(d_model, n_heads) for _ in range(n_layers)
        )
        self.unembed = nn.Linear(d_model, vocab_size, bias=False)
        for parameter in self.parameters():
            nn.init.normal_(parameter, std=1.0 / math.sqrt(d_model))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens (B, N) -> logits (B, N, V); logits[:, t] predict token t+1."""
        positions = torch.arange(tokens.shape[1], device=tokens.device)  # (N,)
        x = self.embed(tokens) + self.pos(positions)  # (B, N, D)
        for layer in self.layers:
            x = x + layer(x)
        return self.unembed(x)


def next_token_losses(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of each prediction, (B, N-1) (lesson 11).

    Entry t scores logits[:, t] against token t+1.
    """
    return F.cross_entropy(
        logits[:, :-1].transpose(1, 2), tokens[:, 1:], reduction="none"
    )  # (B, V, N-1) against (B, N-1) -> (B, N-1)


def segment_losses(model: nn.Module, batch: SegmentBatch) -> tuple[float, float]:
    """Mean losses on the first and on the repeated copy, no gradients (lesson 11)."""
    with torch.no_grad():
        losses = next_token_losses(model(batch.tokens), batch.tokens)  # (B, N-1)
    return float(losses[batch.first].mean()), float(losses[batch.repeat].mean())


def ov_circuit(model: AttentionOnlyTransformer, layer: int, head: int) -> torch.Tensor:
    """The (V, V) matrix W_E W_V^h W_O^h W_U of one head (lesson 11).

    Entry [a, b] is how much attending to token a raises the logit of token b through
    this head's direct path (Elhage et al., 2021), in the row-vector convention:
    embedding rows in, logits out.
    """
    block = model.layers[layer]
    d_model, d_head = block.out.in_features, block.d_head
    rows = slice(2 * d_model + head * d_head, 2 * d_model + (head + 1) * d_head)
    w_v = block.qkv.weight[rows]  # (d_head, D)
    w_o = block.out.weight[:, head * d_head : (head + 1) * d_head]  # (D, d_head)
    with torch.no_grad():
        return model.embed.weight @ w_v.T @ w_o.T @ model.unembed.weight.T  # (V, V)


def train_induction(
    model: AttentionOnlyTransformer,
    steps: int,
    batch_size: int = 64,
    lr: float = 1e-2,
    seed: int = 0,
    checkpoint_every: int = 25,
    eval_batch: SegmentBatch | None = None,
    min_segment: int = 12,
    max_segment: int = 24,
) -> list[dict]:
    """Train with AdamW on fresh repeated-segment batches; keep checkpoints (lesson 11).

    Returns a list of {'step', 'state', 'first', 'repeat'}: a copy of the weights and
    the two losses of `eval_batch` (a fixed batch of 256 sequences if None) every
    `checkpoint_every` steps, at step 0 and at the last step.
    """
    vocab_size = model.embed.num_embeddings
    seq_len = model.pos.num_embeddings
    gen = torch.Generator().manual_seed(seed)
    if eval_batch is None:
        eval_batch = repeated_segments(
            256, seq_len, vocab_size, min_segment, max_segment, seed=seed + 10_000
        )
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)

    def checkpoint(step: int) -> dict:
        first, repeat = segment_losses(model, eval_batch)
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return {"step": step, "state": state, "first": first, "repeat": repeat}

    history = [checkpoint(0)]
    for step in range(1, steps + 1):
        batch = repeated_segments(
            batch_size, seq_len, vocab_size, min_segment, max_segment, generator=gen
        )
        loss = next_token_losses(model(batch.tokens), batch.tokens).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        if step % checkpoint_every == 0 or step == steps:
            history.append(checkpoint(step))
    return history
