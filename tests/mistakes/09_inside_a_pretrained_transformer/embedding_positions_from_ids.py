# replaces: bert_embedding
# mistake: looks the position table up with the token ids instead of the positions 0..T-1
class BertEmbedding(nn.Module):
    def __init__(self, vocab_size, max_positions, type_vocab_size, d_model, eps=1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_positions, d_model)
        self.token_type = nn.Embedding(type_vocab_size, d_model)
        self.norm = nn.LayerNorm(d_model, eps=eps)

    def forward(self, input_ids, token_type_ids=None):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        positions = input_ids.clamp(max=self.position.num_embeddings - 1)
        return self.norm(
            self.word(input_ids)
            + self.position(positions)
            + self.token_type(token_type_ids)
        )
