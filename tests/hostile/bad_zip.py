# attack: a file named .zip that is not a zip archive
# expect: 0
# problem: not a readable zip
# format: raw-zip
this is not a zip archive
