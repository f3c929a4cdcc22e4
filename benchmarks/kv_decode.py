"""Generation with a key/value cache for course_utils.reference.gpt.GPT, used by the generation benchmark.

course_utils holds no KV-cached decoder (lesson 08 has the student write one), so this module
reuses the weights of a trained or random `GPT` and keeps, for every layer, the keys and values
of the positions already read. Each new token then costs one query against the cache instead of
a forward pass over the whole context (Pope et al., 2022, "Efficiently Scaling Transformer
Inference"). Generation stops growing the cache at `block_size`; the benchmark never
generates past it.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from course_utils.reference.gpt import GPT


def _attend(block, x: torch.Tensor, cache: list, start: int) -> torch.Tensor:
    """One block on new positions x (B, t, D) at offsets start.., appending their k, v to `cache`."""
    attn = block.attn
    batch, length, width = x.shape
    head = width // attn.n_head
    q, k, v = attn.qkv(block.ln1(x)).split(width, dim=-1)  # 3 x (B, t, D)
    q = q.view(batch, length, attn.n_head, head).transpose(
        1, 2
    )  # (B, t, D) -> (B, H, t, D/H)
    k = k.view(batch, length, attn.n_head, head).transpose(
        1, 2
    )  # (B, t, D) -> (B, H, t, D/H)
    v = v.view(batch, length, attn.n_head, head).transpose(
        1, 2
    )  # (B, t, D) -> (B, H, t, D/H)
    if cache:
        k = torch.cat([cache[0], k], dim=2)  # (B, H, start + t, D/H)
        v = torch.cat([cache[1], v], dim=2)  # (B, H, start + t, D/H)
    cache[:] = [k, v]
    # A query at offset start + i sees keys 0 .. start + i: causal within the new positions.
    total = k.shape[2]
    allowed = torch.ones(length, total, dtype=torch.bool, device=x.device).tril(
        diagonal=start
    )  # (t, start + t)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)  # (B, H, t, D/H)
    out = out.transpose(1, 2).reshape(
        batch, length, width
    )  # (B, H, t, D/H) -> (B, t, D)
    x = x + attn.proj(out)  # (B, t, D)
    return x + block.mlp(block.ln2(x))  # (B, t, D)


@torch.no_grad()
def cached_logits(
    model: GPT, idx: torch.Tensor, caches: list, start: int
) -> torch.Tensor:
    """Logits (B, t, V) of the new tokens idx (B, t) placed at positions start.., updating `caches`."""
    positions = torch.arange(start, start + idx.shape[1], device=idx.device)  # (t,)
    x = model.tok_emb(idx) + model.pos_emb(positions)  # (B, t, D)
    for block, cache in zip(model.blocks, caches, strict=True):
        x = _attend(block, x, cache, start)  # (B, t, D)
    return model.lm_head(model.ln_f(x))  # (B, t, V)


@torch.no_grad()
def generate_cached(
    model: GPT,
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
) -> torch.Tensor:
    """Like course_utils.reference.gpt.generate, with a KV cache; idx (B, T) -> (B, T + max_new_tokens).

    The total length must stay within model.config.block_size.
    """
    if idx.shape[1] + max_new_tokens > model.config.block_size:
        raise ValueError(
            "generate_cached does not slide the window: keep prompt + new tokens <= block_size"
        )
    was_training = model.training
    model.eval()
    try:
        caches = [[] for _ in model.blocks]
        logits = cached_logits(model, idx, caches, 0)[:, -1, :]  # (B, V)
        for produced in range(max_new_tokens):
            logits = logits.float() / temperature  # (B, V)
            if top_k is not None:
                kth = torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1).values[
                    :, -1:
                ]  # (B, 1)
                logits = logits.masked_fill(logits < kth, float("-inf"))
            following = torch.multinomial(
                torch.softmax(logits, dim=-1), num_samples=1
            )  # (B, 1)
            start = idx.shape[1]
            idx = torch.cat([idx, following], dim=1)  # (B, T + 1)
            if produced < max_new_tokens - 1:  # the last token needs no logits after it
                logits = cached_logits(model, following, caches, start)[
                    :, -1, :
                ]  # (B, V)
    finally:
        model.train(was_training)
    return idx
