"""Grading a whole class with nbgrader, in parallel and in sandboxes (instructors).

`course grade <assignment> <submissions>` (also `make grade`) and `course pack` (also
`make student-pack`) are built from these modules, one idea each:

- collect:   find the submissions (nbgrader's layout, flat .ipynb, .zip)
- integrity: check and clean a submitted notebook; flag what looks like cheating
- sandbox:   bubblewrap isolation and resource limits for each student's kernel
- guard:     the kernel that restores the tests' helpers before every test cell
- worker:    grade one submission with nbgrader in a private copy of the course
- batch:     the whole class: parallel workers, resume, gradebook, CSV, summary
- pack:      the student bundle, with no solutions and no hidden tests

What a submission cannot do (each is a case of tests/hostile/, graded next to honest work):

- read solutions/, the hidden tests, the gradebook or other students' work: its kernel runs
  in bubblewrap and sees only the OS, the Python environment, course_utils and its own
  scratch folder, under a user id of its own (so not the grader's /proc/<pid>/ either);
- write anything but its scratch folder and a private /tmp; use the network;
- run forever or exhaust the machine: a time limit per cell (interrupt), a CPU-time and an
  address-space limit, a process limit, a file-size limit, and a wall-time limit per
  submission after which the grader kills it; the others go on;
- fool the tests by rebinding what they use (np.allclose, torch.allclose,
  torch.testing.assert_close, isinstance and other builtins, the test helpers, their
  captured functions, the recorders of forbidden_calls, IPython's traceback display and
  input transformers): the guard kernel restores all of it before each test cell, and
  course_utils.testing fails loudly when its own state was rebound;
- pass with an object that equals everything: the checks accept only genuine tensors;
- pass by exiting the kernel or hanging: the cells after it score 0;
- call the built-in it was asked to write: forbidden_calls sees it at the torch-function and
  ATen levels, and its recorders are restored before each test cell;
- edit, delete or retype test cells, change points or flags, duplicate a grade_id, hand in
  a corrupt file: the originals are put back or the problem is reported, for that student only.

Scores are read from a gradebook the grading process writes, never from a file the kernel
could reach. What is not stopped: code running in the same Python process as the tests can,
in principle, subvert them in ways no list foresees (threads that re-patch while a test
runs, C-level patching with ctypes). The static scan flags such code ("suspicious, please
review") in the summary so that an instructor reads it; it decides no score.
"""
