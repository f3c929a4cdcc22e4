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
- toy_tasks:  small synthetic sequence tasks for heads and positions (lessons 03, 04)
- gpt:        a reference GPT (GPTConfig, GPT, generate), fused or explicit attention (lesson 07)
- text_data:  corpora shipped with Python, a character tokenizer, batches (lesson 07)
- train:      the training loop, presets, checkpoints, DDP; `python -m course_utils.train` (lesson 07)
- dates_task: the date-normalisation task and a small encoder-decoder (lesson 07)
- scaling:    cost of attention against length, fitted exponents (lesson 08)
- pretrained: all-MiniLM-L6-v2 weights from an installed package, a WordPiece tokenizer (lesson 09)
"""

__version__ = "0.1.0"
