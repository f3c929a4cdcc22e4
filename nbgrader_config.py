"""nbgrader settings for the course: solutions/<id>/ is the source, notebooks/<id>/ the release."""

import os

c = get_config()  # noqa: F821  (nbgrader injects get_config)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "attention-transformers"
c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# Stubs the release puts where a solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a cell that runs longer than this is stopped (an endless loop costs one cell,
# not the batch); a test cell a student deleted is put back and run.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True

# nbgrader scores a test cell 0 when anything reaches stderr. Python warnings
# ("file.py:12: UserWarning: ...") are not failures: drop those outputs before scoring.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^\S[^\n]*:\d+: \w*Warning: "

# Feedback shows each test's behaviour, points and hint, never the hidden tests' source
# (course_tools/grading/feedback.py).
from course_tools.grading.feedback import FEEDBACK_PREPROCESSORS  # noqa: E402

c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
