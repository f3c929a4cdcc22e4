# replaces: load_weights
# alternative: walks the model's own state_dict (tensors sharing the parameters' storage) and looks up each checkpoint name
def load_minilm_weights(model, state_dict):
    outer = {
        "embeddings.word": "embeddings.word_embeddings",
        "embeddings.position": "embeddings.position_embeddings",
        "embeddings.token_type": "embeddings.token_type_embeddings",
        "embeddings.norm": "embeddings.LayerNorm",
    }
    inner = {
        "self_attn.q_proj": "attention.self.query",
        "self_attn.k_proj": "attention.self.key",
        "self_attn.v_proj": "attention.self.value",
        "self_attn.out_proj": "attention.output.dense",
        "norm1": "attention.output.LayerNorm",
        "linear1": "intermediate.dense",
        "linear2": "output.dense",
        "norm2": "output.LayerNorm",
    }

    def checkpoint_name(ours):
        module, leaf = ours.rsplit(".", 1)
        if module in outer:
            return f"{outer[module]}.{leaf}"
        if module.startswith("layers."):
            _, index, rest = module.split(".", 2)
            if rest in inner:
                return f"encoder.layer.{index}.{inner[rest]}.{leaf}"
        return None

    used = set()
    own = model.state_dict()
    with torch.no_grad():
        for ours, destination in own.items():
            theirs = checkpoint_name(ours)
            if theirs is None or theirs not in state_dict:
                continue
            source = state_dict[theirs]
            if destination.shape != source.shape:
                raise ValueError(f"{theirs} {tuple(source.shape)} does not fit {ours}")
            destination.copy_(source)
            used.add(theirs)
    return sorted(set(state_dict) - used)
