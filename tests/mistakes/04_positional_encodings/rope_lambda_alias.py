# replaces: apply_rope
# mistake: binds the course's reference apply_rope as a default argument of a lambda and calls it
from course_utils import reference

apply_rope = lambda x, _rotate=reference.apply_rope: _rotate(x)
