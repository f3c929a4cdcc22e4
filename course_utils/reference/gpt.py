"""Lesson 07's answers: a small decoder-only transformer (GPT), its sampling, its training step, and greedy decoding of dates.

The layout follows GPT-2 (Radford et al., 2019) as popularised by nanoGPT (Karpathy, 2022):
token and learned position embeddings, a stack of pre-LN blocks (`Block`, lesson 06's block
in the GPT's layout, `course_utils.reference.blocks`), a final LayerNorm and a
language-model head that shares its weights with the token embedding (Press & Wolf, 2017).
`generate` draws each token with `sample_next` (temperature and top-k);
`course_utils.reference.kv_cache` generates the same tokens with a KV cache. `train_step` is
the step the training loop of `course_utils.train` takes by default; `translate` decodes the
date translator of `course_utils.tasks.dates` greedily.

    config = GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, d_model=128)
    model = GPT(config)
    logits, loss = model(idx, targets)          # idx, targets: (B, T) token ids
    text_ids = generate(model, idx, 200, temperature=0.8, top_k=20)

`targets[:, t]` is the token that follows `idx[:, t]`: the data pipeline shifts, the model
does not (COURSE_DESIGN.md). The sizes (`GPTConfig`), the initialisation and the switch
between fused and explicit attention are no answers: they live in `course_utils.gpt_utils`
and are importable from here as well.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.gpt_utils import (
    GPTConfig,
    count_parameters,
    init_weights,
    set_fused_attention,
)
from course_utils.reference.blocks import MLP, Block, CausalSelfAttention
from course_utils.tasks.dates import (
    BOS,
    TARGET_LENGTH,
    DateTranslator,
    decode,
    encode_sources,
)

__all__ = [
    "GPT",
    "MLP",
    "Block",
    "CausalSelfAttention",
    "GPTConfig",
    "count_parameters",
    "generate",
    "init_weights",
    "sample_next",
    "set_fused_attention",
    "train_step",
    "translate",
]


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


def train_step(
    model: nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    lr: float,
    config,
    autocast=contextlib.nullcontext,
    scaler: torch.amp.GradScaler | None = None,
) -> torch.Tensor:
    """One optimisation step on batch = (x, y): forward, backward, clipping, update (lesson 07).

    `lr` is the step's learning rate (Run.schedule), `config` the run's TrainConfig (its
    `grad_clip`; 0 turns clipping off), `autocast` a function that returns the context of
    the forward pass (Run.autocast), `scaler` the gradient scaler of a float16 run
    (Run.scaler; None otherwise). Returns the batch's loss, detached. It is the default step
    of `course_utils.train.train`; a lesson trains with its own of this signature, with or
    without `scaler`: `train(config, step=my_step)`.
    """
    x, y = batch  # (b, T) each
    for group in optimizer.param_groups:
        group["lr"] = lr
    with autocast():
        _, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    if scaler is None:
        loss.backward()
        if config.grad_clip:
            nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        return loss.detach()
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
    if config.grad_clip:
        nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    scaler.step(optimizer)  # skipped when a gradient is inf or NaN
    scaler.update()
    return loss.detach()


@torch.no_grad()
def translate(model: DateTranslator, texts) -> list[str]:
    """Greedy decoding of each text, TARGET_LENGTH characters at most (lesson 07).

    The answer of lesson 07's `greedy_decode`, returning text: each step appends the argmax
    of the last position's logits, and `course_utils.tasks.dates.decode` stops at `</s>`.
    """
    model.eval()
    device = next(model.parameters()).device
    src = encode_sources(texts).to(device)  # (B, S)
    memory, keep = model.encode(src)
    out = torch.full((len(texts), 1), BOS, dtype=torch.long, device=device)  # (B, 1)
    for _ in range(TARGET_LENGTH + 1):
        logits = model.decode(out, memory, keep)  # (B, t, vocab)
        out = torch.cat(
            [out, logits[:, -1].argmax(-1, keepdim=True)], dim=1
        )  # (B, t + 1)
    return [decode(row[1:]) for row in out]
