# replaces: minilm_encoder
# mistake: repeats one block num_hidden_layers times, so all layers share one set of weights
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
        block = PostLNBlock(
            d_model,
            config["num_attention_heads"],
            config["intermediate_size"],
            eps=eps,
        )
        self.layers = nn.ModuleList([block] * config["num_hidden_layers"])

    def forward(self, input_ids, attention_mask=None):
        x = self.embeddings(input_ids)
        mask = (
            None if attention_mask is None else attention_mask.bool()[:, None, None, :]
        )
        for layer in self.layers:
            x = layer(x, mask)
        return x
