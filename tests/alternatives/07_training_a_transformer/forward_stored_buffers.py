# replaces: gpt_forward
# alternative: positions stored as a buffer in the constructor and sliced per call; the blocks run in a functools.reduce
import functools


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
        size = config.block_size
        self.register_buffer("positions", torch.arange(size), persistent=False)

    def forward(self, idx, targets=None):
        T = idx.shape[-1]
        x = self.drop(self.tok_emb(idx) + self.pos_emb(self.positions[:T]))
        x = functools.reduce(
            lambda h, block: block(h, mask=None, is_causal=True), self.blocks, x
        )  # (B, T, D)
        logits = self.lm_head(self.ln_f(x))
        loss = (
            None
            if targets is None
            else F.cross_entropy(
                logits.reshape(-1, self.config.vocab_size), targets.reshape(-1)
            )
        )
        return logits, loss
