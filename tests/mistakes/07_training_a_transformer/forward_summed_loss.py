# replaces: gpt_forward
# mistake: sums the cross-entropy over positions instead of averaging
class GPT(nn.Module):
    """A decoder-only transformer language model (Radford et al., 2019), pre-LN, tied embeddings."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(
            config.vocab_size, config.d_model
        )  # token id -> vector
        self.pos_emb = nn.Embedding(
            config.block_size, config.d_model
        )  # position -> vector (learned)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.lm_head.weight = self.tok_emb.weight  # weight tying (Press & Wolf, 2017)
        self.apply(init_weights)  # N(0, 0.02); no 1/sqrt(N) residual scaling

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """idx (B, T) -> (logits (B, T, vocab_size), mean cross-entropy against targets (B, T), or None)."""
        batch, length = idx.shape
        positions = torch.arange(length, device=idx.device)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(positions))
        for block in self.blocks:
            x = block(x, is_causal=True)
        logits = self.lm_head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.reshape(batch * length, -1),
                targets.reshape(batch * length),
                reduction="sum",
            )
        return logits, loss
