# replaces: load_weights
# mistake: puts the attention output's LayerNorm in norm2 and the feed-forward's in norm1
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
        "attention.output.LayerNorm": "norm2",
        "intermediate.dense": "linear1",
        "output.dense": "linear2",
        "output.LayerNorm": "norm1",
    }
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
