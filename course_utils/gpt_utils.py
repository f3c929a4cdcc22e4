"""What a GPT needs around it that is no exercise: its sizes, its initialisation, and two switches (lesson 07).

`GPTConfig` holds the sizes of lesson 07's decoder-only transformer (and of the models built
like it in lessons 08 and 10); `init_weights` is GPT-2's initialisation; `count_parameters`
counts tied weights once; `set_fused_attention` switches every attention layer between
PyTorch's fused kernel and the course's explicit attention. The GPT itself, its block and its
sampling are answers, in `course_utils.reference`.

    config = GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, d_model=128)
    model.apply(init_weights)
    count_parameters(model)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from torch import nn


@dataclass
class GPTConfig:
    """Sizes of a GPT (lesson 07). `block_size` is the longest context the model reads."""

    vocab_size: int = 128
    block_size: int = 64
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 128
    dropout: float = 0.0

    def __post_init__(self):
        if self.d_model % self.n_head:
            raise ValueError(
                f"d_model={self.d_model} is not divisible by n_head={self.n_head}"
            )
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model"):
            if int(getattr(self, name)) < 1:
                raise ValueError(
                    f"GPTConfig.{name} must be at least 1, got {getattr(self, name)}"
                )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig.dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict:
        return asdict(self)


def init_weights(module: nn.Module) -> None:
    """GPT-2's initialisation: N(0, 0.02) for linear and embedding weights, zero biases (lesson 07)."""
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


def count_parameters(model: nn.Module) -> int:
    """Number of distinct trainable parameters (tied weights counted once) (lesson 07)."""
    return sum(
        p.numel()
        for p in {id(p): p for p in model.parameters() if p.requires_grad}.values()
    )


def set_fused_attention(model: nn.Module, fused: bool) -> nn.Module:
    """Switch every attention layer of `model` between fused and explicit math; returns the model (lesson 07).

    The layers are the `CausalSelfAttention` of the GPT's block
    (`course_utils.reference.blocks`, lesson 06); a model without any is returned unchanged.
    """
    from course_utils.reference.blocks import CausalSelfAttention

    for module in model.modules():
        if isinstance(module, CausalSelfAttention):
            module.fused = fused
    return model
