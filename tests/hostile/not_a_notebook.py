# attack: binary data handed in as a notebook
# expect: 0
# problem: not a notebook
# format: binary
