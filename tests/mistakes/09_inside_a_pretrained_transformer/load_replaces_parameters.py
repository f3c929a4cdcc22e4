# replaces: load_weights
# mistake: uses load_state_dict with strict=False on the raw checkpoint, which silently loads nothing (the names differ)
def load_minilm_weights(model, state_dict):
    result = model.load_state_dict(state_dict, strict=False)
    return sorted(result.unexpected_keys)
