# replaces: coreference_maps
# alternative: both maps written out as tables, one row per feature
def coreference_maps(strength=STRENGTH):
    query_rows = {
        "pronoun": [1.0, 1.0],
        "size": [1.0, -1.0],
        "weight": [1.0, -1.0],
        "fullness": [-1.0, 1.0],
    }
    key_rows = {"object": [1.0, 0.0], "container": [0.0, 1.0]}
    W_q = strength * torch.tensor([query_rows.get(f, [0.0, 0.0]) for f in FEATURES])
    W_k = torch.tensor([key_rows.get(f, [0.0, 0.0]) for f in FEATURES])
    return W_q, W_k
