# attack: none: the model solution in nbgrader's layout <student>/<assignment>/<notebook>.ipynb
# expect: 6
# format: nbgrader
