# attack: none: the model solution, handed in as a notebook
# expect: 6
