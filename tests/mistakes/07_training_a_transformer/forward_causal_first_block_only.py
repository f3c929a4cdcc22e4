# replaces: gpt_forward
# mistake: is_causal=True for the first block only: the later blocks let each position read the future
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
        batch, length = idx.shape
        positions = torch.arange(length, device=idx.device)  # (T,)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(positions))  # (B, T, D)
        x = self.blocks[0](x, is_causal=True)  # (B, T, D)
        for block in self.blocks[1:]:
            x = block(x)  # (B, T, D)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.reshape(batch * length, -1), targets.reshape(batch * length)
            )
        return logits, loss
