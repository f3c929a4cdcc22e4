# replaces: gpt_forward
# alternative: cross_entropy on (B, V, T) logits via transpose, no flattening; is_causal passed positionally after an explicit mask=None
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
        T = idx.shape[1]
        steps = torch.arange(T, device=idx.device)
        x = self.tok_emb(idx) + self.pos_emb(steps)[None]  # (B, T, D) + (1, T, D)
        x = self.drop(x)
        for block in self.blocks:
            x = block(x, None, True)  # mask None, is_causal True
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        loss = None
        if targets is not None:
            # cross_entropy takes the classes on dim 1: (B, T, V) -> (B, V, T)
            loss = F.cross_entropy(logits.transpose(1, 2), targets)
        return logits, loss
