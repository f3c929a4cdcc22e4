"""Generation with a key/value cache for the GPT of lesson 07: the reference answers of lesson 08.

In a causal model the keys and values of a position never change once it is read, so each
attention layer can keep them (the KV cache) and a new token costs one query against the
cache instead of a forward pass over the whole context (Pope et al., 2022, "Efficiently
Scaling Transformer Inference"). `generate_with_cache` draws the same tokens as
`course_utils.reference.gpt.generate` under the same random seed: both sample with
`sample_next`.

    tokens = generate_with_cache(model, idx, 100, temperature=0.8, top_k=20)

Lesson 08 has students write both functions; its tests forbid calling these.
"""

from __future__ import annotations

import torch
from torch import nn

from course_utils.reference import merge_heads
from course_utils.reference.gpt import CausalSelfAttention, sample_next


def cached_attention(
    attn: CausalSelfAttention,
    x: torch.Tensor,
    past: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Causal self-attention of new positions x (B, T_new, D) after the cached `past` (lesson 08).

    `past` is (keys, values), each (B, H, T_past, D/H), or None. Returns the output
    (B, T_new, D) and the cache extended by the new positions, (B, H, T_past + T_new, D/H)
    each. The attention is the layer's own, fused or explicit (`attn.fused`).
    """
    new = x.shape[1]
    q, k, v = attn.qkv_heads(x)  # 3 x (B, H, T_new, D/H)
    if past is not None:
        k = torch.cat([past[0], k], dim=2)  # (B, H, T_past + T_new, D/H)
        v = torch.cat([past[1], v], dim=2)  # (B, H, T_past + T_new, D/H)
    seen = k.shape[2] - new  # T_past
    # New query i sits at position T_past + i and sees keys 0 .. T_past + i.
    allowed = torch.ones(new, k.shape[2], dtype=torch.bool, device=x.device).tril(
        diagonal=seen
    )  # (T_new, T_past + T_new)
    out = attn.attend(q, k, v, mask=allowed)  # (B, H, T_new, D/H)
    return attn.proj(merge_heads(out)), (k, v)  # (B, H, T_new, D/H) -> (B, T_new, D)


def cached_logits(
    model: nn.Module, idx: torch.Tensor, caches: list, start: int
) -> torch.Tensor:
    """Logits (B, T_new, V) of the tokens idx (B, T_new) at positions start.., extending `caches` (lesson 08).

    `caches` holds one (keys, values) pair or None per block of `model` (a lesson 07 GPT).
    """
    positions = torch.arange(start, start + idx.shape[1], device=idx.device)  # (T_new,)
    x = model.tok_emb(idx) + model.pos_emb(positions)  # (B, T_new, D)
    for layer, block in enumerate(model.blocks):
        attended, caches[layer] = cached_attention(
            block.attn, block.ln1(x), caches[layer]
        )
        x = x + attended  # (B, T_new, D)
        x = x + block.mlp(block.ln2(x))  # (B, T_new, D)
    return model.lm_head(model.ln_f(x))  # (B, T_new, V)


@torch.no_grad()
def generate_with_cache(
    model: nn.Module,
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
) -> torch.Tensor:
    """`generate` with a KV cache: idx (B, T) -> (B, T + max_new_tokens), the same tokens (lesson 08).

    The prompt goes through the model once (the prefill), then each new token alone at its
    own position. The learned positions stop at block_size, so prompt and new tokens must
    fit in it (a ValueError otherwise). Runs in eval mode and restores the model's mode.
    """
    if idx.shape[1] + max_new_tokens > model.config.block_size:
        raise ValueError(
            f"a prompt of {idx.shape[1]} tokens and {max_new_tokens} new ones exceed "
            f"block_size={model.config.block_size}: the cache does not slide"
        )
    was_training = model.training
    model.eval()
    try:
        caches = [None] * len(model.blocks)
        step_input, start = idx, 0
        for _ in range(max_new_tokens):
            logits = cached_logits(model, step_input, caches, start)  # (B, T_new, V)
            following = sample_next(logits[:, -1, :], temperature, top_k)  # (B, 1)
            idx = torch.cat([idx, following], dim=1)  # (B, T + 1)
            start += step_input.shape[1]
            step_input = following  # (B, 1)
    finally:
        model.train(was_training)
    return idx
