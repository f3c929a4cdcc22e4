# replaces: minilm_encoder
# alternative: blocks appended one by one with keyword arguments; mask by unsqueeze twice, passed by keyword
class MiniLMEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        eps = config["layer_norm_eps"]
        self.embeddings = BertEmbedding(
            vocab_size=config["vocab_size"],
            max_positions=config["max_position_embeddings"],
            type_vocab_size=config["type_vocab_size"],
            d_model=config["hidden_size"],
            eps=eps,
        )
        self.layers = nn.ModuleList()
        for _ in range(config["num_hidden_layers"]):
            self.layers.append(
                PostLNBlock(
                    d_model=config["hidden_size"],
                    num_heads=config["num_attention_heads"],
                    d_ff=config["intermediate_size"],
                    eps=eps,
                )
            )

    def forward(self, input_ids, attention_mask=None):
        hidden = self.embeddings(input_ids)
        mask = None
        if attention_mask is not None:
            mask = attention_mask.bool().unsqueeze(1).unsqueeze(2)  # (B, 1, 1, T)
        for block in self.layers:
            hidden = block(hidden, mask=mask)
        return hidden
