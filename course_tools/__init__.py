"""The instructor's and maintainer's tools: never in the student pack.

- cli:          the `course` command (grade, pack, release, doctor)
- grading:      `course grade` and `course pack`: sandboxed class grading, feedback that hides
                the hidden tests, the student bundle
- release:      regenerate notebooks/ from solutions/ with nbgrader (`make release`)
- authoring:    a lesson notebook as editable text and back (contributors)
- figure_audit: the rules every figure of a lesson meets (width, labels, fonts, colour maps)
- lock:         re-pin requirements.lock and environment.yml (`make lock`)
"""
