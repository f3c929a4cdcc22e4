"""Shared helpers of the Attention and Transformers course.

Each public function names the lesson that teaches it. Modules:

- runtime:    device choice, seeding, quick mode while grading (lesson 00)
- doctor:     the environment check, also `python -m course_utils.doctor` (lesson 00)
- testing:    the checks that lesson test cells use (every lesson)
- plotting:   attention heatmaps and curves (lesson 00 onwards)
- release:    regenerate the student notebooks with nbgrader (instructors)
- authoring:  turn a lesson notebook into editable text and back (contributors)
- timing:     median wall time, thread control, growth exponents (lesson 01)
- recall_task: the delayed-recall task, SmallRNN and TinyAttention (lesson 01)
"""

__version__ = "0.1.0"
