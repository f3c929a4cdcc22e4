# replaces: causal_mask
# mistake: keeps a bound reference to the course's causal_mask from a module alias and calls it
import course_utils.reference as _r

_build = _r.causal_mask


def causal_mask(seq_len: int) -> torch.Tensor:
    """(seq_len, seq_len) bool mask, True where query i may attend to key j: j <= i."""
    return _build(seq_len).clone()
