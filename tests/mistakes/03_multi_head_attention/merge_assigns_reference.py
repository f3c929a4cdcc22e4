# replaces: merge_heads
# mistake: assigns the course's reference merge_heads to the name instead of writing it
from course_utils import reference

merge_heads = reference.merge_heads
