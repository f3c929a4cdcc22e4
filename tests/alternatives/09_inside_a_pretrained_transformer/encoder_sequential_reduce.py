# replaces: minilm_encoder
# alternative: the config unpacked into named sizes; the blocks applied with functools.reduce; mask with None indexing
class MiniLMEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        d = config["hidden_size"]
        heads, d_ff = config["num_attention_heads"], config["intermediate_size"]
        eps, depth = config["layer_norm_eps"], config["num_hidden_layers"]
        self.embeddings = BertEmbedding(
            config["vocab_size"],
            config["max_position_embeddings"],
            config["type_vocab_size"],
            d,
            eps=eps,
        )
        blocks = [PostLNBlock(d, heads, d_ff, eps) for _ in range(depth)]
        self.layers = nn.ModuleList(blocks)

    def forward(self, input_ids, attention_mask=None):
        import functools

        mask = (
            None
            if attention_mask is None
            else attention_mask[:, None, None, :].to(torch.bool)
        )
        return functools.reduce(
            lambda x, block: block(x, mask), self.layers, self.embeddings(input_ids)
        )
