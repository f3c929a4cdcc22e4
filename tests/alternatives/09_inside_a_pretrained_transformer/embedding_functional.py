# replaces: bert_embedding
# alternative: the tables as modules, the work done with F.embedding and F.layer_norm on their weights
class BertEmbedding(nn.Module):
    def __init__(self, vocab_size, max_positions, type_vocab_size, d_model, eps=1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_positions, d_model)
        self.token_type = nn.Embedding(type_vocab_size, d_model)
        self.norm = nn.LayerNorm(d_model, eps)
        self.eps = eps

    def forward(self, input_ids, token_type_ids=None):
        import torch.nn.functional as F

        if token_type_ids is None:
            token_type_ids = input_ids.new_zeros(input_ids.shape)
        positions = torch.arange(input_ids.shape[-1], device=input_ids.device)
        x = (
            F.embedding(input_ids, self.word.weight)
            + F.embedding(positions, self.position.weight)
            + F.embedding(token_type_ids, self.token_type.weight)
        )
        return F.layer_norm(
            x, (x.shape[-1],), self.norm.weight, self.norm.bias, self.eps
        )
