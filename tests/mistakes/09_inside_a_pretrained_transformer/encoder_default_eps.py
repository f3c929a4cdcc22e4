# replaces: minilm_encoder
# mistake: builds the blocks without the config's eps, so they keep the block's default 1e-12
class MiniLMEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        d_model, eps = config["hidden_size"], config["layer_norm_eps"]
        self.embeddings = BertEmbedding(
            config["vocab_size"],
            config["max_position_embeddings"],
            config["type_vocab_size"],
            d_model,
            eps=eps,
        )
        self.layers = nn.ModuleList(
            [
                PostLNBlock(
                    d_model,
                    config["num_attention_heads"],
                    config["intermediate_size"],
                )
                for _ in range(config["num_hidden_layers"])
            ]
        )

    def forward(self, input_ids, attention_mask=None):
        x = self.embeddings(input_ids)
        mask = None
        if attention_mask is not None:
            mask = attention_mask.bool()[:, None, None, :]
        for layer in self.layers:
            x = layer(x, mask)
        return x
