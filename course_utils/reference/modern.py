"""Today's transformer recipe, as references for lesson 10 (10_modern_transformer).

The pieces the lesson's exercises teach, and a GPT with a switch for each of them:

- `rms_norm` / `RMSNorm`: root-mean-square normalisation with a gain and no mean
  subtraction (Zhang & Sennrich, 2019), in place of LayerNorm;
- `swiglu` / `SwiGLU`: the gated feed-forward sublayer ``(SiLU(x W_gate) * x W_up) W_down``
  (Shazeer, 2020, "GLU Variants Improve Transformer");
- `qk_norm_attention`: queries and keys RMS-normalised, each with a learned gain, before
  the dot product (Henry et al., 2020; Dehghani et al., 2023), which bounds the logits;
- `newton_schulz`: the quintic Newton-Schulz iteration that orthogonalises an update
  matrix in Muon (Jordan et al., 2024), with the coefficients of torch.optim.Muon;
- `ModernGPT`: lesson 07's GPT (`course_utils.reference.gpt`) with switches for the norm,
  the feed-forward sublayer, rotary positions in every layer (lesson 04's `apply_rope`),
  QK-norm and biases. With every switch off it is lesson 07's GPT, parameter for
  parameter; `make_muon_step` trains its 2-D hidden weights with Muon and the rest with
  AdamW, as a step function for `course_utils.train.train`.

The lesson forbids calling these references inside its exercises.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.reference import apply_rope, causal_mask, merge_heads
from course_utils.reference.gpt import GPTConfig, init_weights

# Coefficients of the quintic iteration in Muon (Jordan et al., 2024), as in torch.optim.Muon.
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
NORMS = ("layer", "rms")
FEED_FORWARDS = ("gelu", "swiglu")


def rms_norm(
    x: torch.Tensor, weight: torch.Tensor | None = None, eps: float = 1e-6
) -> torch.Tensor:
    """x / sqrt(mean(x^2 over the last dim) + eps) * weight (lesson 10)."""
    mean_square = x.pow(2).mean(dim=-1, keepdim=True)  # (..., 1)
    normed = x * torch.rsqrt(mean_square + eps)  # (..., D)
    return normed if weight is None else normed * weight


class RMSNorm(nn.Module):
    """RMS normalisation over the last dimension with a learned gain, initialised to 1 (lesson 10)."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, self.weight, self.eps)


def swiglu(
    x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor, w_down: torch.Tensor
) -> torch.Tensor:
    """(SiLU(x @ w_gate) * (x @ w_up)) @ w_down: x (..., D), w_gate and w_up (D, H), w_down (H, D) (lesson 10)."""
    return (F.silu(x @ w_gate) * (x @ w_up)) @ w_down  # (..., H) -> (..., D)


def swiglu_hidden(d_model: int, multiple: int = 8) -> int:
    """SwiGLU's hidden width for as many weights as a 4x GELU MLP: 8D/3, rounded up (lesson 10)."""
    return -(-8 * d_model // (3 * multiple)) * multiple


class SwiGLU(nn.Module):
    """The gated feed-forward sublayer with linear layers gate, up (D -> H) and down (H -> D) (lesson 10)."""

    def __init__(self, d_model: int, hidden: int, bias: bool = False, dropout=0.0):
        super().__init__()
        self.gate = nn.Linear(d_model, hidden, bias=bias)
        self.up = nn.Linear(d_model, hidden, bias=bias)
        self.down = nn.Linear(hidden, d_model, bias=bias)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = F.silu(self.gate(x)) * self.up(x)  # (..., D) -> (..., H)
        return self.drop(self.down(hidden))  # (..., D)


def qk_norm_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    q_gain: torch.Tensor,
    k_gain: torch.Tensor,
    mask: torch.Tensor | None = None,
    eps: float = 1e-6,
):
    """Attention on RMS-normalised queries and keys, each times its gain (d,) (lesson 10).

    q (..., Lq, d), k (..., Lk, d), v (..., Lk, d_v) -> (output (..., Lq, d_v), weights
    (..., Lq, Lk)); the logits are rms_norm(q) g_q . rms_norm(k) g_k / sqrt(d), the mask
    is boolean and True where attention is allowed.
    """
    q_hat = rms_norm(q, q_gain, eps)  # (..., Lq, d)
    k_hat = rms_norm(k, k_gain, eps)  # (..., Lk, d)
    logits = q_hat @ k_hat.transpose(-2, -1) / q.shape[-1] ** 0.5  # (..., Lq, Lk)
    if mask is not None:
        logits = logits.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(logits, dim=-1)  # (..., Lq, Lk)
    return weights @ v, weights  # (..., Lq, d_v), (..., Lq, Lk)


def newton_schulz(
    g: torch.Tensor, steps: int = 5, eps: float = 1e-7, coefficients=NS_COEFFICIENTS
) -> torch.Tensor:
    """Muon's quintic Newton-Schulz orthogonalisation of a 2-D matrix, in its own dtype (lesson 10).

    X = G / (||G||_F + eps), transposed when G has more rows than columns; then `steps`
    times A = X X^T, X = a X + (b A + c A^2) X; transposed back. Its singular values land
    near 1 (about 0.68 to 1.14 after 5 steps for those above 0.01 of the
    Frobenius norm), not exactly on it.
    """
    a, b, c = coefficients
    tall = g.shape[0] > g.shape[1]
    x = g.T if tall else g  # (m, n) with m <= n
    x = x / (x.norm() + eps)
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        x = a * x + (b * gram + c * gram @ gram) @ x  # (m, n)
    return x.T if tall else x


# ---- a GPT with switches -----------------------------------------------------------


@dataclass
class ModernConfig(GPTConfig):
    """Lesson 07's GPTConfig with the switches of lesson 10 (all off: lesson 07's GPT).

    norm 'layer' or 'rms'; feed_forward 'gelu' (Linear 4D, GELU, Linear) or 'swiglu' (hidden
    8D/3); rope: rotary positions on the queries and keys of every layer instead of learned
    position embeddings; qk_norm: RMS-normalised queries and keys with learned gains;
    bias: biases in the linear layers and norms.
    """

    norm: str = "layer"
    feed_forward: str = "gelu"
    rope: bool = False
    qk_norm: bool = False
    bias: bool = True

    def __post_init__(self):
        super().__post_init__()
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {self.norm!r}")
        if self.feed_forward not in FEED_FORWARDS:
            raise ValueError(
                f"feed_forward must be one of {FEED_FORWARDS}, got {self.feed_forward!r}"
            )
        if (self.rope or self.qk_norm) and (self.d_model // self.n_head) % 2:
            raise ValueError("rope needs an even head width")


def make_norm(config: ModernConfig) -> nn.Module:
    """The block's normalisation: LayerNorm (lesson 06) or RMSNorm (lesson 10)."""
    if config.norm == "rms":
        return RMSNorm(config.d_model)
    return nn.LayerNorm(config.d_model, bias=config.bias)


class ModernAttention(nn.Module):
    """Causal self-attention with optional rotary positions and QK-norm (lesson 10).

    The same fused q/k/v projection and output projection as lesson 07's
    CausalSelfAttention (so an all-off model loads its weights); the attention itself runs
    in F.scaled_dot_product_attention.
    """

    def __init__(self, config: ModernConfig):
        super().__init__()
        self.n_head, self.d_model = config.n_head, config.d_model
        head = config.d_model // config.n_head
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model, bias=config.bias)
        self.proj = nn.Linear(config.d_model, config.d_model, bias=config.bias)
        self.rope, self.qk_norm = config.rope, config.qk_norm
        if config.qk_norm:
            self.q_gain = nn.Parameter(torch.ones(head))
            self.k_gain = nn.Parameter(torch.ones(head))
        self.dropout = config.dropout
        self.resid_drop = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, _ = x.shape
        q, k, v = self.qkv(x).split(self.d_model, dim=-1)  # 3 x (B, T, D)
        # (B, T, D) -> (B, H, T, D/H) for each
        q, k, v = (
            t.view(batch, length, self.n_head, -1).transpose(1, 2) for t in (q, k, v)
        )
        if self.qk_norm:
            q, k = rms_norm(q, self.q_gain), rms_norm(k, self.k_gain)  # (B, H, T, D/H)
        if self.rope:
            q, k = apply_rope(q), apply_rope(k)  # (B, H, T, D/H)
        drop = self.dropout if self.training else 0.0
        out = F.scaled_dot_product_attention(
            q, k, v, dropout_p=drop, is_causal=True
        )  # (B, H, T, D/H)
        return self.resid_drop(self.proj(merge_heads(out)))  # (B, T, D)


class ModernMLP(nn.Module):
    """Lesson 07's GELU MLP (fc, proj) with the bias switch (lesson 10)."""

    def __init__(self, config: ModernConfig):
        super().__init__()
        self.fc = nn.Linear(config.d_model, 4 * config.d_model, bias=config.bias)
        self.proj = nn.Linear(4 * config.d_model, config.d_model, bias=config.bias)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(
            self.proj(F.gelu(self.fc(x)))
        )  # (..., D) -> (..., 4D) -> (..., D)


class ModernBlock(nn.Module):
    """A pre-norm decoder block: x + attn(ln1(x)), then x + mlp(ln2(x)) (lesson 10)."""

    def __init__(self, config: ModernConfig):
        super().__init__()
        self.ln1 = make_norm(config)
        self.attn = ModernAttention(config)
        self.ln2 = make_norm(config)
        if config.feed_forward == "swiglu":
            hidden = swiglu_hidden(config.d_model)
            self.mlp = SwiGLU(config.d_model, hidden, config.bias, config.dropout)
        else:
            self.mlp = ModernMLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))  # (B, T, D)
        return x + self.mlp(self.ln2(x))  # (B, T, D)


class ModernGPT(nn.Module):
    """Lesson 07's GPT with lesson 10's switches (a ModernConfig); same forward contract.

    forward(idx (B, T), targets (B, T) or None) -> (logits (B, T, V), loss or None). With
    rope on there is no learned position embedding.
    """

    def __init__(self, config: ModernConfig):
        super().__init__()
        if not isinstance(config, ModernConfig):
            config = ModernConfig(**config.to_dict())
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        if not config.rope:
            self.pos_emb = nn.Embedding(config.block_size, config.d_model)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            [ModernBlock(config) for _ in range(config.n_layer)]
        )
        self.ln_f = make_norm(config)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.lm_head.weight = self.tok_emb.weight  # weight tying, as in lesson 07
        self.apply(init_weights)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        batch, length = idx.shape
        if length > self.config.block_size:
            raise ValueError(
                f"sequence of length {length} is longer than "
                f"block_size={self.config.block_size}"
            )
        x = self.tok_emb(idx)  # (B, T, D)
        if not self.config.rope:
            x = x + self.pos_emb(torch.arange(length, device=idx.device))  # (B, T, D)
        x = self.drop(x)
        for block in self.blocks:
            x = block(x)  # (B, T, D)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.reshape(batch * length, -1).float(),  # (B*T, V)
                targets.reshape(batch * length),
            )
        return logits, loss


def hidden_matrices(model: nn.Module) -> list[nn.Parameter]:
    """The 2-D weights inside the blocks (not embeddings, not the tied head) (lesson 10)."""
    blocks = getattr(model, "blocks", None)
    if blocks is None:
        return []
    return [p for p in blocks.parameters() if p.dim() == 2 and p.requires_grad]


def make_muon_step(
    model: nn.Module,
    muon_lr: float = 0.02,
    adam_lr: float = 3e-3,
    weight_decay: float = 0.0,
    momentum: float = 0.95,
):
    """A step function for course_utils.train.train: Muon on the 2-D hidden weights, AdamW
    on the rest (embeddings, norms, biases, gains) (lesson 10).

    train() passes each step's scheduled learning rate `lr` (warm-up, cosine); both
    optimizers follow it in proportion: Muon at lr * muon_lr / adam_lr, AdamW at lr. The
    optimizer train() passes in is not used.
    """
    matrices = hidden_matrices(model)
    chosen = {id(p) for p in matrices}
    rest = [
        p
        for p in {id(p): p for p in model.parameters()}.values()
        if id(p) not in chosen and p.requires_grad
    ]
    muon = torch.optim.Muon(
        matrices, lr=muon_lr, weight_decay=weight_decay, momentum=momentum
    )
    adam = torch.optim.AdamW(rest, lr=adam_lr, betas=(0.9, 0.99), weight_decay=0.0)
    ratio = muon_lr / adam_lr

    def muon_step(net, batch, optimizer, lr, config, autocast=contextlib.nullcontext):
        x, y = batch  # (b, T) each
        for group in muon.param_groups:
            group["lr"] = lr * ratio
        for group in adam.param_groups:
            group["lr"] = lr
        with autocast():
            _, loss = net(x, y)
        muon.zero_grad(set_to_none=True)
        adam.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip:
            nn.utils.clip_grad_norm_(net.parameters(), config.grad_clip)
        muon.step()
        adam.step()
        return loss.detach()

    muon_step.optimizers = (muon, adam)
    return muon_step


__all__ = [
    "NS_COEFFICIENTS",
    "ModernConfig",
    "ModernGPT",
    "RMSNorm",
    "SwiGLU",
    "causal_mask",
    "hidden_matrices",
    "make_muon_step",
    "newton_schulz",
    "qk_norm_attention",
    "rms_norm",
    "swiglu",
    "swiglu_hidden",
]
