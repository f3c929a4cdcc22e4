# attack: none: the model solution inside a zip file, as a learning platform exports it
# expect: 6
# format: zip
