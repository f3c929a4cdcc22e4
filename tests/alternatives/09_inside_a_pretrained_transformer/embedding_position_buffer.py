# replaces: bert_embedding
# alternative: Hugging Face's layout: position ids and default token types kept as non-persistent buffers, sliced per call
class BertEmbedding(nn.Module):
    def __init__(self, vocab_size, max_positions, type_vocab_size, d_model, eps=1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_positions, d_model)
        self.token_type = nn.Embedding(type_vocab_size, d_model)
        self.norm = nn.LayerNorm(d_model, eps=eps)
        self.register_buffer(
            "position_ids", torch.arange(max_positions).unsqueeze(0), persistent=False
        )
        self.register_buffer(
            "default_types",
            torch.zeros(1, max_positions, dtype=torch.long),
            persistent=False,
        )

    def forward(self, input_ids, token_type_ids=None):
        T = input_ids.size(1)
        if token_type_ids is None:
            token_type_ids = self.default_types[:, :T].expand_as(input_ids)  # (B, T)
        embeddings = self.word(input_ids) + self.token_type(token_type_ids)
        embeddings = embeddings + self.position(self.position_ids[:, :T])  # (1, T, D)
        return self.norm(embeddings)
