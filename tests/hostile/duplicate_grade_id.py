# attack: duplicated grade_ids (a copy of the solution cell and of a test cell, both with their metadata)
# expect: 6
# problem: appears 2 times
# transform: duplicate_ids
