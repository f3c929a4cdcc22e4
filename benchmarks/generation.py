"""Generation speed with and without a KV cache for lesson 07's model (issue 9, part 4).

The model is course_utils.reference.gpt.GPT with the sizes of the `cpu` preset on a CPU and the `gpu`
preset on CUDA, randomly initialised (speed does not depend on the weights, and nothing is
downloaded). Both decoders start from a one-token prompt and write block_size - 1 tokens, so
the context fills the whole window:
  no cache   course_utils.reference.gpt.generate: every new token runs the model over the whole context
  KV cache   course_utils.reference.kv_cache.generate_with_cache (lesson 08's reference): every
             new token runs one position against the cached keys and values of the earlier ones
Both draw the same tokens (tests/test_gpt.py checks it) with the same attention kernel.
"""

from __future__ import annotations

import torch

from course_utils.gpt_utils import count_parameters
from course_utils.reference.gpt import GPT, generate
from course_utils.reference.kv_cache import generate_with_cache
from course_utils.timing import median_time
from course_utils.train_config import preset


def run(
    device: torch.device,
    preset_name: str | None = None,
    batch_sizes=(1, 8),
    repeats: int = 3,
    threads: int | None = None,
    log=print,
) -> dict:
    """Tokens per second of both decoders at each batch size; `threads` CPU threads (None: torch's setting)."""
    preset_name = preset_name or ("gpu" if device.type == "cuda" else "cpu")
    config = preset(preset_name, model={"dropout": 0.0}).model_config(vocab_size=128)
    torch.manual_seed(0)
    model = GPT(config).to(device).eval()
    new_tokens = config.block_size - 1
    rows = []
    for batch in batch_sizes:
        prompt = torch.zeros(batch, 1, dtype=torch.long, device=device)  # (B, 1)
        row = {"batch": batch, "new_tokens": new_tokens}
        for label, decoder in (
            ("no_cache", generate),
            ("kv_cache", generate_with_cache),
        ):
            seconds = median_time(
                lambda decoder=decoder, prompt=prompt: decoder(
                    model, prompt, new_tokens, top_k=20
                ),
                repeats=repeats,
                warmup=1,
                device=device,
                threads=threads,
            )
            row[f"{label}_tokens_per_second"] = round(batch * new_tokens / seconds, 1)
        row["speedup"] = round(
            row["kv_cache_tokens_per_second"] / row["no_cache_tokens_per_second"], 3
        )
        rows.append(row)
        log(
            f"  batch {batch:3d}: no cache {row['no_cache_tokens_per_second']:10.1f} tok/s, "
            f"KV cache {row['kv_cache_tokens_per_second']:10.1f} tok/s ({row['speedup']:.2f}x)"
        )
    return {
        "preset": preset_name,
        "model": config.to_dict(),
        "parameters": count_parameters(model),
        "repeats": repeats,
        "threads": threads or torch.get_num_threads(),
        "rows": rows,
    }
