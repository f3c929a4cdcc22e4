# replaces: bert_embedding
# mistake: always adds token-type row 0, even when token_type_ids are given
class BertEmbedding(nn.Module):
    def __init__(self, vocab_size, max_positions, type_vocab_size, d_model, eps=1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_positions, d_model)
        self.token_type = nn.Embedding(type_vocab_size, d_model)
        self.norm = nn.LayerNorm(d_model, eps=eps)

    def forward(self, input_ids, token_type_ids=None):
        positions = torch.arange(input_ids.shape[-1])
        return self.norm(
            self.word(input_ids) + self.position(positions) + self.token_type.weight[0]
        )
