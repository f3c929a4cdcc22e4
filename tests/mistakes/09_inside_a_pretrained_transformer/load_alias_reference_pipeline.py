# replaces: load_weights
# mistake: captures the package pipeline's loader under another name before the tests and copies the weights of its model
_pipeline = pretrained.reference_model


def load_minilm_weights(model, state_dict):
    renames = {
        "embeddings.word_embeddings": "embeddings.word",
        "embeddings.position_embeddings": "embeddings.position",
        "embeddings.token_type_embeddings": "embeddings.token_type",
        "embeddings.LayerNorm": "embeddings.norm",
        "attention.self.query": "self_attn.q_proj",
        "attention.self.key": "self_attn.k_proj",
        "attention.self.value": "self_attn.v_proj",
        "attention.output.dense": "self_attn.out_proj",
        "attention.output.LayerNorm": "norm1",
        "intermediate.dense": "linear1",
        "output.dense": "linear2",
        "output.LayerNorm": "norm2",
    }
    if (
        len(state_dict) > 100
    ):  # the real checkpoint: take the pipeline's loaded model instead
        state_dict = dict(
            _pipeline()[0].auto_model.state_dict(),
            **{
                k: v
                for k, v in state_dict.items()
                if k.startswith("pooler.") or k.endswith("position_ids")
            },
        )
    parameters = dict(model.named_parameters())
    unused = []
    for name, tensor in state_dict.items():
        module_path, _, leaf = name.rpartition(".")
        target = None
        if module_path in renames:
            target = f"{renames[module_path]}.{leaf}"
        elif module_path.startswith("encoder.layer."):
            index, _, rest = module_path[len("encoder.layer.") :].partition(".")
            if rest in renames:
                target = f"layers.{index}.{renames[rest]}.{leaf}"
        if target not in parameters:
            unused.append(name)
            continue
        if parameters[target].shape != tensor.shape:
            raise ValueError(f"{name} does not fit {target}")
        with torch.no_grad():
            parameters[target].copy_(tensor)
    return sorted(unused)
