# attack: a notebook cut off in the middle (corrupt JSON)
# expect: 0
# problem: corrupt JSON
# format: raw
{"cells": [{"cell_type": "code", "source": "def softmax(x