# replaces: gpt_forward
# mistake: a correct causal mask tensor from torch.tril (the same numbers, but a mask tensor rules out the flash kernel; the contract asks for is_causal=True)
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
        B, T = idx.size()
        pos = torch.arange(0, T, dtype=torch.long, device=idx.device)  # (T,)
        tok = self.tok_emb(idx)  # (B, T, D)
        x = self.drop(tok + self.pos_emb(pos))  # (B, T, D)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool, device=idx.device))
        for block in self.blocks:
            x = block(x, mask=mask)
        x = self.ln_f(x)
        logits = self.lm_head(x)  # (B, T, V)
        if targets is None:
            return logits, None
        # (B, T, V) -> (B*T, V) and (B, T) -> (B*T,)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss
