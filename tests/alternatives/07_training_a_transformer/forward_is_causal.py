# replaces: gpt_forward
# alternative: is_causal=True by keyword; F.nll_loss on log_softmax of flattened logits
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
        x = self.tok_emb(idx)  # (B, T, D)
        x = x + self.pos_emb(torch.arange(length, device=idx.device)).unsqueeze(0)
        x = self.drop(x)
        for block in self.blocks:
            x = block(x, is_causal=True)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        flat = logits.flatten(0, 1)  # (B, T, V) -> (B*T, V)
        loss = F.nll_loss(F.log_softmax(flat, dim=-1), targets.flatten())
        return logits, loss
