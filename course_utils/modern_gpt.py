"""The model and optimiser lesson 10 trains and measures: a GPT with a switch per change (lesson 10).

`ModernGPT` is lesson 07's GPT with switches for the norm (LayerNorm or RMSNorm), the
feed-forward sublayer (GELU MLP or SwiGLU), rotary positions in every layer, QK-norm and
biases; with every switch off it is lesson 07's GPT, parameter for parameter.
`make_muon_step` trains its 2-D hidden weights with Muon and the rest with AdamW, as a
step function for `course_utils.train.train`.

The exercises of lesson 10 are not here: the model takes them as parts (`ModernParts`), so
the lesson trains and measures the functions the student wrote::

    parts = ModernParts(rms_norm=rms_norm, swiglu=swiglu, newton_schulz=newton_schulz)
    model = ModernGPT(ModernConfig(norm="rms", feed_forward="swiglu"), parts)
    step = make_muon_step(model, newton_schulz=parts.newton_schulz)

A part left out is the course's reference answer (`course_utils.reference.modern`),
imported only when a model needs it; Muon without a `newton_schulz` is PyTorch's own
`torch.optim.Muon`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.gpt_utils import GPTConfig, init_weights
from course_utils.reference import apply_rope, merge_heads

# Coefficients of the quintic Newton-Schulz iteration in Muon (Jordan et al., 2024), the
# defaults of torch.optim.Muon.
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
NORMS = ("layer", "rms")
FEED_FORWARDS = ("gelu", "swiglu")


@dataclass(frozen=True)
class ModernParts:
    """The functions lesson 10's exercises write, for a ModernGPT and its Muon (lesson 10).

    rms_norm(x, weight, eps) for RMSNorm and QK-norm; swiglu(x, w_gate, w_up, w_down) for
    the SwiGLU sublayer; newton_schulz(g) for Muon's orthogonalisation. None: the course's
    reference (newton_schulz: PyTorch's torch.optim.Muon).
    """

    rms_norm: Callable | None = None
    swiglu: Callable | None = None
    newton_schulz: Callable | None = None

    def resolved(self) -> ModernParts:
        """These parts with rms_norm and swiglu filled in from the reference where None."""
        if self.rms_norm is not None and self.swiglu is not None:
            return self
        from course_utils.reference import modern

        return ModernParts(
            rms_norm=self.rms_norm or modern.rms_norm,
            swiglu=self.swiglu or modern.swiglu,
            newton_schulz=self.newton_schulz,
        )

    def fingerprint(self) -> str:
        """A short hash of what each given part computes on fixed inputs: two sets of
        parts that compute the same numbers share it, so a cache of runs can tell a
        changed function from the one it saved (lesson 10)."""
        generator = torch.Generator().manual_seed(0)

        def sample(*shape):
            return torch.randn(*shape, generator=generator)

        x, gain = sample(3, 8), sample(8)
        w_gate, w_up, w_down = sample(8, 6), sample(8, 6), sample(6, 8)
        g = sample(6, 10)
        outputs = {
            "rms_norm": lambda f: f(x, gain, 1e-6),
            "swiglu": lambda f: f(x, w_gate, w_up, w_down),
            "newton_schulz": lambda f: f(g),
        }
        digest = hashlib.sha1()
        for name, call in outputs.items():
            function = getattr(self, name)
            digest.update(name.encode())
            if function is None:
                digest.update(b"default")
            else:
                result = torch.as_tensor(call(function)).detach().cpu().contiguous()
                digest.update(str((result.dtype, tuple(result.shape))).encode())
                digest.update(result.numpy().tobytes())
        return digest.hexdigest()[:16]


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


def swiglu_hidden(d_model: int, multiple: int = 8) -> int:
    """SwiGLU's hidden width for as many weights as a 4x GELU MLP: 8D/3, rounded up to a
    multiple of `multiple` (Shazeer, 2020) (lesson 10)."""
    return -(-8 * d_model // (3 * multiple)) * multiple


class GainNorm(nn.Module):
    """RMSNorm over the last dimension through a given `rms_norm(x, weight, eps)`, with a
    learned gain `weight` initialised to 1 (lesson 10)."""

    def __init__(self, dim: int, rms_norm: Callable, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.rms_norm = rms_norm
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rms_norm(x, self.weight, self.eps)


class GatedFeedForward(nn.Module):
    """The SwiGLU sublayer through a given `swiglu(x, w_gate, w_up, w_down)`, with linear
    layers gate, up (D -> H) and down (H -> D) holding its weights (lesson 10).

    With biases, each input gets a constant 1 appended and each of gate and up a row
    holding its bias (a bias is the weight of a constant input); down's bias is added to
    the result.
    """

    def __init__(
        self, d_model: int, hidden: int, swiglu: Callable, bias=False, dropout=0.0
    ):
        super().__init__()
        self.swiglu = swiglu
        self.gate = nn.Linear(d_model, hidden, bias=bias)
        self.up = nn.Linear(d_model, hidden, bias=bias)
        self.down = nn.Linear(hidden, d_model, bias=bias)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w_gate, w_up = self.gate.weight.T, self.up.weight.T  # (D, H) each
        if self.gate.bias is None:
            out = self.swiglu(x, w_gate, w_up, self.down.weight.T)  # (..., D)
        else:
            ones = x.new_ones((*x.shape[:-1], 1))  # (..., 1)
            x = torch.cat([x, ones], dim=-1)  # (..., D) -> (..., D + 1)
            w_gate = torch.cat([w_gate, self.gate.bias[None]])  # (D + 1, H)
            w_up = torch.cat([w_up, self.up.bias[None]])  # (D + 1, H)
            out = self.swiglu(x, w_gate, w_up, self.down.weight.T) + self.down.bias
        return self.drop(out)  # (..., D)


def make_norm(config: ModernConfig, parts: ModernParts) -> nn.Module:
    """The block's normalisation: LayerNorm (lesson 06) or RMSNorm (lesson 10)."""
    if config.norm == "rms":
        return GainNorm(config.d_model, parts.rms_norm)
    return nn.LayerNorm(config.d_model, bias=config.bias)


class ModernAttention(nn.Module):
    """Causal self-attention with optional rotary positions and QK-norm (lesson 10).

    The same fused q/k/v projection and output projection as lesson 07's
    CausalSelfAttention (so an all-off model loads its weights). QK-norm RMS-normalises
    each head's queries and keys with `parts.rms_norm` and a learned gain each, before the
    rotation (the rotation keeps a vector's norm, so normalised vectors stay normalised);
    the attention itself runs in F.scaled_dot_product_attention.
    """

    def __init__(self, config: ModernConfig, parts: ModernParts):
        super().__init__()
        self.n_head, self.d_model = config.n_head, config.d_model
        head = config.d_model // config.n_head
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model, bias=config.bias)
        self.proj = nn.Linear(config.d_model, config.d_model, bias=config.bias)
        self.rope, self.qk_norm = config.rope, config.qk_norm
        if config.qk_norm:
            self.rms_norm = parts.rms_norm
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
            q = self.rms_norm(q, self.q_gain, 1e-6)  # (B, H, T, D/H)
            k = self.rms_norm(k, self.k_gain, 1e-6)  # (B, H, T, D/H)
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

    def __init__(self, config: ModernConfig, parts: ModernParts):
        super().__init__()
        self.ln1 = make_norm(config, parts)
        self.attn = ModernAttention(config, parts)
        self.ln2 = make_norm(config, parts)
        if config.feed_forward == "swiglu":
            hidden = swiglu_hidden(config.d_model)
            self.mlp = GatedFeedForward(
                config.d_model, hidden, parts.swiglu, config.bias, config.dropout
            )
        else:
            self.mlp = ModernMLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))  # (B, T, D)
        return x + self.mlp(self.ln2(x))  # (B, T, D)


class ModernGPT(nn.Module):
    """Lesson 07's GPT with lesson 10's switches (a ModernConfig); same forward contract.

    forward(idx (B, T), targets (B, T) or None) -> (logits (B, T, V), loss or None). With
    rope on there is no learned position embedding. `parts` (a ModernParts) gives the
    rms_norm and swiglu the model computes with; None, or a part left out, is the
    course's reference, imported only when a switch needs it.
    """

    def __init__(self, config: ModernConfig, parts: ModernParts | None = None):
        super().__init__()
        if not isinstance(config, ModernConfig):
            config = ModernConfig(**config.to_dict())
        self.config = config
        parts = parts or ModernParts()
        if config.norm == "rms" or config.qk_norm or config.feed_forward == "swiglu":
            parts = parts.resolved()
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        if not config.rope:
            self.pos_emb = nn.Embedding(config.block_size, config.d_model)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            [ModernBlock(config, parts) for _ in range(config.n_layer)]
        )
        self.ln_f = make_norm(config, parts)
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


class Muon(torch.optim.Optimizer):
    """Muon (Jordan et al., 2024) with the orthogonalisation given as a function (lesson 10).

    The update of torch.optim.Muon (Nesterov momentum, decoupled weight decay, the
    learning rate scaled by sqrt(max(1, rows / columns))), with `orthogonalise(update)` in
    place of PyTorch's bfloat16 Newton-Schulz iteration: lesson 10 passes the student's
    `newton_schulz`. Every parameter must be a 2-D matrix.
    """

    def __init__(
        self,
        params,
        orthogonalise: Callable,
        lr: float = 0.02,
        weight_decay: float = 0.0,
        momentum: float = 0.95,
    ):
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum}
        super().__init__(params, defaults)
        self.orthogonalise = orthogonalise
        for group in self.param_groups:
            for p in group["params"]:
                if p.dim() != 2:
                    raise ValueError(f"Muon takes 2-D matrices, got shape {p.shape}")

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p.grad)
                buffer = state["momentum_buffer"]
                buffer.lerp_(p.grad, 1 - momentum)
                update = self.orthogonalise(p.grad.lerp(buffer, momentum))  # (m, n)
                rows, columns = p.shape
                p.mul_(1 - lr * group["weight_decay"])
                p.add_(update, alpha=-lr * math.sqrt(max(1, rows / columns)))
        return loss


def make_muon_step(
    model: nn.Module,
    muon_lr: float = 0.02,
    adam_lr: float = 3e-3,
    weight_decay: float = 0.0,
    momentum: float = 0.95,
    newton_schulz: Callable | None = None,
):
    """A step function for course_utils.train.train: Muon on the 2-D hidden weights, AdamW
    on the rest (embeddings, norms, biases, gains) (lesson 10).

    Muon orthogonalises each update with `newton_schulz(g)` (the `Muon` above), or, when
    it is None, is PyTorch's torch.optim.Muon. train() passes each step's scheduled
    learning rate `lr` (warm-up, cosine); both optimizers follow it in proportion: Muon at
    lr * muon_lr / adam_lr, AdamW at lr. The optimizer train() passes in is not used.
    """
    matrices = hidden_matrices(model)
    chosen = {id(p) for p in matrices}
    rest = [
        p
        for p in {id(p): p for p in model.parameters()}.values()
        if id(p) not in chosen and p.requires_grad
    ]
    if newton_schulz is None:
        muon = torch.optim.Muon(
            matrices, lr=muon_lr, weight_decay=weight_decay, momentum=momentum
        )
    else:
        muon = Muon(
            matrices,
            newton_schulz,
            lr=muon_lr,
            weight_decay=weight_decay,
            momentum=momentum,
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
    "FEED_FORWARDS",
    "NORMS",
    "NS_COEFFICIENTS",
    "GainNorm",
    "GatedFeedForward",
    "ModernConfig",
    "ModernGPT",
    "ModernParts",
    "Muon",
    "hidden_matrices",
    "make_muon_step",
    "swiglu_hidden",
]
