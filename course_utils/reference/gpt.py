"""A small decoder-only transformer (GPT) for character-level language modelling (lesson 07).

The layout follows GPT-2 (Radford et al., 2019) as popularised by nanoGPT (Karpathy, 2022):
token and learned position embeddings, a stack of pre-LN blocks (causal self-attention and a
GELU feed-forward sublayer, each with a residual connection), a final LayerNorm and a
language-model head that shares its weights with the token embedding (Press & Wolf, 2017).

Each attention layer runs either the course's own attention, ``softmax(QK^T / sqrt(d)) V``
with a boolean mask (`course_utils.reference.scaled_dot_product_attention`, lessons 02-05),
or PyTorch's fused ``F.scaled_dot_product_attention``, which picks a flash or
memory-efficient kernel where one exists (lesson 08 measures them). Switch with
`set_fused_attention`. `generate` draws each token with `sample_next` (temperature and
top-k); `course_utils.reference.kv_cache` generates the same tokens with a KV cache.

    config = GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, d_model=128)
    model = GPT(config)
    logits, loss = model(idx, targets)          # idx, targets: (B, T) token ids
    text_ids = generate(model, idx, 200, temperature=0.8, top_k=20)

`targets[:, t]` is the token that follows `idx[:, t]`: the data pipeline shifts, the model
does not (COURSE_DESIGN.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.reference import (
    causal_mask,
    merge_heads,
    scaled_dot_product_attention,
    split_heads,
)


@dataclass
class GPTConfig:
    """Sizes of a GPT (lesson 07). `block_size` is the longest context the model reads."""

    vocab_size: int = 128
    block_size: int = 64
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 128
    dropout: float = 0.0

    def __post_init__(self):
        if self.d_model % self.n_head:
            raise ValueError(
                f"d_model={self.d_model} is not divisible by n_head={self.n_head}"
            )
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model"):
            if int(getattr(self, name)) < 1:
                raise ValueError(
                    f"GPTConfig.{name} must be at least 1, got {getattr(self, name)}"
                )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig.dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict:
        return asdict(self)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention with one fused q/k/v projection (lesson 07; lessons 02-05 build it).

    forward(x (B, T, D), mask=None, is_causal=False) -> (B, T, D). `mask` is boolean and
    broadcasts against (B, H, T, T), True where attention is allowed (the course convention);
    `is_causal=True` applies the causal mask without building it. With `fused=True` the work
    goes to F.scaled_dot_product_attention, otherwise to the course's explicit attention
    (`course_utils.reference.scaled_dot_product_attention`, lesson 02).
    """

    def __init__(self, config: GPTConfig, fused: bool = True):
        super().__init__()
        self.n_head, self.d_model = config.n_head, config.d_model
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)
        self.dropout = config.dropout
        self.resid_drop = nn.Dropout(config.dropout)
        self.fused = fused

    def qkv_heads(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Queries, keys and values of x (B, T, D), split into heads: 3 x (B, H, T, D/H)."""
        q_k_v = self.qkv(x).split(self.d_model, dim=-1)  # 3 x (B, T, D)
        return [split_heads(t, self.n_head) for t in q_k_v]  # 3 x (B, H, T, D/H)

    def attend(
        self,
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        mask: torch.Tensor | None = None,
        is_causal: bool = False,
    ) -> torch.Tensor:
        """Attention of q (B, H, Lq, D/H) over k, v (B, H, Lk, D/H), fused or explicit: (B, H, Lq, D/H).

        Dropout on the weights in training mode. `is_causal` needs Lq == Lk.
        """
        if is_causal and mask is not None:
            raise ValueError("pass either a mask or is_causal=True, not both")
        drop = self.dropout if self.training else 0.0
        if self.fused:
            return F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=drop, is_causal=is_causal
            )  # (B, H, Lq, D/H)
        if is_causal:
            mask = causal_mask(q.shape[-2], device=q.device)  # (T, T)
        out, _ = scaled_dot_product_attention(q, k, v, mask, dropout_p=drop)
        return out  # (B, H, Lq, D/H)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False
    ) -> torch.Tensor:
        q, k, v = self.qkv_heads(x)  # 3 x (B, H, T, D/H)
        out = self.attend(q, k, v, mask=mask, is_causal=is_causal)  # (B, H, T, D/H)
        # (B, H, T, D/H) -> (B, T, D)
        return self.resid_drop(self.proj(merge_heads(out)))


class MLP(nn.Module):
    """The feed-forward sublayer: Linear(D, 4D), GELU, Linear(4D, D) (lesson 07; taught in lesson 06)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(config.d_model, 4 * config.d_model)
        self.proj = nn.Linear(4 * config.d_model, config.d_model)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(
            self.proj(F.gelu(self.fc(x)))
        )  # (..., D) -> (..., 4D) -> (..., D)


class Block(nn.Module):
    """A pre-LN decoder block without cross-attention: x + attn(ln1(x)), then x + mlp(ln2(x)) (lesson 07).

    forward(x (B, T, D), mask=None, is_causal=False) -> (B, T, D); the mask is passed to the
    attention unchanged, so a block with no mask lets every position see every other one.
    """

    def __init__(self, config: GPTConfig, fused: bool = True):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.d_model)
        self.attn = CausalSelfAttention(config, fused=fused)
        self.ln2 = nn.LayerNorm(config.d_model)
        self.mlp = MLP(config)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False
    ) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask=mask, is_causal=is_causal)  # (B, T, D)
        return x + self.mlp(self.ln2(x))  # (B, T, D)


def init_weights(module: nn.Module) -> None:
    """GPT-2's initialisation: N(0, 0.02) for linear and embedding weights, zero biases (lesson 07)."""
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


class GPT(nn.Module):
    """Decoder-only transformer language model; the reference for lesson 07's exercise.

    forward(idx (B, T) int64, targets (B, T) or None) -> (logits (B, T, vocab), loss or None),
    with `loss` the mean cross-entropy of predicting targets[:, t] from idx[:, :t+1].
    """

    def __init__(self, config: GPTConfig, fused: bool = True):
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        self.pos_emb = nn.Embedding(config.block_size, config.d_model)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            [Block(config, fused=fused) for _ in range(config.n_layer)]
        )
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.lm_head.weight = self.tok_emb.weight  # weight tying (Press & Wolf, 2017)
        self.apply(init_weights)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        batch, length = idx.shape
        if length > self.config.block_size:
            raise ValueError(
                f"sequence of length {length} is longer than block_size={self.config.block_size}"
            )
        positions = torch.arange(length, device=idx.device)  # (T,)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(positions))  # (B, T, D)
        for block in self.blocks:
            x = block(x, is_causal=True)  # (B, T, D)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.reshape(batch * length, -1).float(),  # (B*T, V)
                targets.reshape(batch * length),
            )  # (B*T,)
        return logits, loss


def set_fused_attention(model: nn.Module, fused: bool) -> nn.Module:
    """Switch every attention layer of `model` between fused and explicit math; returns the model (lesson 07)."""
    for module in model.modules():
        if isinstance(module, CausalSelfAttention):
            module.fused = fused
    return model


def count_parameters(model: nn.Module) -> int:
    """Number of distinct trainable parameters (tied weights counted once) (lesson 07)."""
    return sum(
        p.numel()
        for p in {id(p): p for p in model.parameters() if p.requires_grad}.values()
    )


def sample_next(
    logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None
) -> torch.Tensor:
    """One token per row from next-token logits (B, V), as `generate` draws it: (B, 1) (lesson 07).

    Divides the logits by `temperature`, keeps only the `top_k` largest (ties at the k-th
    value kept; a `top_k` above the vocabulary keeps all) and samples from the softmax.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    logits = logits.float() / temperature  # (B, V)
    if top_k is not None:
        top = torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1)
        kth = top.values[:, -1:]  # (B, 1): the k-th largest of each row
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probabilities = torch.softmax(logits, dim=-1)  # (B, V)
    return torch.multinomial(probabilities, num_samples=1)  # (B, 1)


@torch.no_grad()
def generate(
    model: nn.Module,
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
) -> torch.Tensor:
    """Sample `max_new_tokens` tokens after `idx` (B, T); returns (B, T + max_new_tokens) (lesson 07).

    Each step feeds at most the last `model.config.block_size` tokens and draws the next
    token from the last position's logits with `sample_next` (temperature, top-k).
    """
    was_training = model.training
    model.eval()
    try:
        for _ in range(max_new_tokens):
            context = idx[:, -model.config.block_size :]  # (B, <= block_size)
            logits, _ = model(context)  # (B, T', V)
            following = sample_next(logits[:, -1, :], temperature, top_k)  # (B, 1)
            idx = torch.cat([idx, following], dim=1)  # (B, T + 1)
    finally:
        model.train(was_training)
    return idx
