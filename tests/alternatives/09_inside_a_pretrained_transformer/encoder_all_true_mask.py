# replaces: minilm_encoder
# alternative: no mask becomes an all-True mask; the mask reshaped with view(B, 1, 1, T) after != 0
class MiniLMEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = config
        self.embeddings = BertEmbedding(
            c["vocab_size"],
            c["max_position_embeddings"],
            c["type_vocab_size"],
            c["hidden_size"],
            c["layer_norm_eps"],
        )
        block_args = dict(eps=c["layer_norm_eps"])
        self.layers = nn.ModuleList(
            PostLNBlock(
                c["hidden_size"],
                c["num_attention_heads"],
                c["intermediate_size"],
                **block_args,
            )
            for _ in range(c["num_hidden_layers"])
        )

    def forward(self, input_ids, attention_mask=None):
        B, T = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones(B, T, dtype=torch.bool, device=input_ids.device)
        mask = (attention_mask != 0).view(B, 1, 1, T)
        x = self.embeddings(input_ids)
        for layer in self.layers:
            x = layer(x, mask)
        return x
