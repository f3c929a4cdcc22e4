# replaces: multi_head_attention
# mistake: inherits the course's reference implementation instead of writing it
from course_utils.reference import MultiHeadAttention as _ReferenceMHA


class MultiHeadAttention(_ReferenceMHA):
    pass
