# replaces: gpt_forward
# alternative: embeddings by indexing the weight tables; loss as log_softmax, gather and mean
class GPT(nn.Module):
    """A decoder-only transformer language model (Radford et al., 2019), pre-LN,
    tied embeddings."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        self.pos_emb = nn.Embedding(config.block_size, config.d_model)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.lm_head.weight = self.tok_emb.weight
        self.apply(init_weights)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        x = self.tok_emb.weight[idx] + self.pos_emb.weight[:T]  # (B, T, D) + (T, D)
        x = self.drop(x)
        for layer in range(self.config.n_layer):
            x = self.blocks[layer](x, is_causal=True)  # (B, T, D)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        if targets is None:
            return logits, None
        log_probs = torch.log_softmax(logits, dim=-1)  # (B, T, V)
        # (B, T, 1): the log-probability of each target
        picked = log_probs.gather(-1, targets.unsqueeze(-1))
        return logits, -picked.mean()
