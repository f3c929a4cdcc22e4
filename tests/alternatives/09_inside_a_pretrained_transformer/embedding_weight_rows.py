# replaces: bert_embedding
# alternative: rows taken from the weight tables by indexing; token type row 0 broadcast when no types are given
class BertEmbedding(nn.Module):
    def __init__(self, vocab_size, max_positions, type_vocab_size, d_model, eps=1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_positions, d_model)
        self.token_type = nn.Embedding(type_vocab_size, d_model)
        self.norm = nn.LayerNorm(d_model, eps=eps)

    def forward(self, input_ids, token_type_ids=None):
        T = input_ids.shape[1]
        x = self.word.weight[input_ids] + self.position.weight[:T]  # (B, T, D) + (T, D)
        if token_type_ids is None:
            x = x + self.token_type.weight[0]  # (D,)
        else:
            x = x + self.token_type.weight[token_type_ids]  # (B, T, D)
        return self.norm(x)
