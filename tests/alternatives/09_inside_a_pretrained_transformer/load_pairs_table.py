# replaces: load_weights
# alternative: a table of (checkpoint module, model module) pairs for every layer; modules found with get_submodule
def load_minilm_weights(model, state_dict):
    pairs = {
        "embeddings.word_embeddings": "embeddings.word",
        "embeddings.position_embeddings": "embeddings.position",
        "embeddings.token_type_embeddings": "embeddings.token_type",
        "embeddings.LayerNorm": "embeddings.norm",
    }
    per_layer = {
        "attention.self.query": "self_attn.q_proj",
        "attention.self.key": "self_attn.k_proj",
        "attention.self.value": "self_attn.v_proj",
        "attention.output.dense": "self_attn.out_proj",
        "attention.output.LayerNorm": "norm1",
        "intermediate.dense": "linear1",
        "output.dense": "linear2",
        "output.LayerNorm": "norm2",
    }
    for i in range(len(model.layers)):
        for theirs, ours in per_layer.items():
            pairs[f"encoder.layer.{i}.{theirs}"] = f"layers.{i}.{ours}"
    unused = []
    with torch.no_grad():
        for name, tensor in state_dict.items():
            module_name, _, leaf = name.rpartition(".")
            if module_name not in pairs or leaf not in ("weight", "bias"):
                unused.append(name)
                continue
            parameter = getattr(model.get_submodule(pairs[module_name]), leaf)
            if parameter.shape != tensor.shape:
                raise ValueError(f"shape mismatch for {name}")
            parameter.copy_(tensor)
    unused.sort()
    return unused
