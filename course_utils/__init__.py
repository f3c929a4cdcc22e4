"""Shared helpers of the Attention and Transformers course: what lessons import and students receive.

Each public function names the lesson that teaches it. Modules:

- runtime:    device choice, seeding, quick mode while grading (lesson 00)
- doctor:     the environment check, also `python -m course_utils.doctor` (lesson 00)
- testing:    the checks that lesson test cells use (every lesson)
- plotting:   attention heatmaps and curves (lesson 00 onwards)
- timing:     median wall time, thread control, growth exponents (lesson 01)
- tasks:      every task a lesson trains or measures on: delayed and long-range recall,
              toy sequence tasks, text corpora, dates (lessons 01, 03, 04, 07, 08)
- reference:  the reference answers of the graded functions, one module per lesson
              (LESSON_OF), for later lessons to build on; the student pack leaves out
              those of the lessons it packs and of later ones
- torch_twins: PyTorch's own layers carrying the weights of lesson 06's blocks (tests)
- gpt_utils:  GPTConfig, weight initialisation, parameter counts (lesson 07)
- modern_gpt: the lesson 10 GPT with a switch per change, built from the student's parts
- train:      the training loop, checkpoints, DDP; `python -m course_utils.train` (lesson 07)
- train_config: TrainConfig, the presets, the learning-rate schedule (lesson 07)
- scaling:    cost of attention against length, cheaper attentions (lesson 08)
- pretrained: all-MiniLM-L6-v2 weights from an installed package, a WordPiece tokenizer (lesson 09)

The instructor's tools (grading, release, authoring, figure audit, the lock) are the
separate package `course_tools`, which the student pack never contains.
"""

__version__ = "0.1.0"
