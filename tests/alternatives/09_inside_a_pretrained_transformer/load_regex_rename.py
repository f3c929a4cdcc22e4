# replaces: load_weights
# alternative: checkpoint names rewritten with a chain of regular expressions; torch.no_grad as a decorator
import re


@torch.no_grad()
def load_minilm_weights(model, state_dict):
    rules = [
        (r"^embeddings\.word_embeddings\.", "embeddings.word."),
        (r"^embeddings\.position_embeddings\.", "embeddings.position."),
        (r"^embeddings\.token_type_embeddings\.", "embeddings.token_type."),
        (r"^embeddings\.LayerNorm\.", "embeddings.norm."),
        (
            r"^encoder\.layer\.(\d+)\.attention\.self\.query\.",
            r"layers.\1.self_attn.q_proj.",
        ),
        (
            r"^encoder\.layer\.(\d+)\.attention\.self\.key\.",
            r"layers.\1.self_attn.k_proj.",
        ),
        (
            r"^encoder\.layer\.(\d+)\.attention\.self\.value\.",
            r"layers.\1.self_attn.v_proj.",
        ),
        (
            r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.",
            r"layers.\1.self_attn.out_proj.",
        ),
        (
            r"^encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.",
            r"layers.\1.norm1.",
        ),
        (r"^encoder\.layer\.(\d+)\.intermediate\.dense\.", r"layers.\1.linear1."),
        (r"^encoder\.layer\.(\d+)\.output\.dense\.", r"layers.\1.linear2."),
        (r"^encoder\.layer\.(\d+)\.output\.LayerNorm\.", r"layers.\1.norm2."),
    ]
    params = dict(model.named_parameters())
    unused = []
    for name, value in state_dict.items():
        target = None
        for pattern, replacement in rules:
            if re.match(pattern, name):
                target = re.sub(pattern, replacement, name)
                break
        if target is None or target not in params:
            unused.append(name)
            continue
        if tuple(params[target].shape) != tuple(value.shape):
            raise ValueError(
                f"{name}: {tuple(value.shape)} vs {tuple(params[target].shape)}"
            )
        params[target].copy_(value)
    return sorted(unused)
