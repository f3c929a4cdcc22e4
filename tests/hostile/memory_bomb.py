# attack: a memory bomb in a cell of its own after a correct solution: the limit stops that cell alone
# expect: 6
# problem: ran out of memory
# --- append
hog = bytearray(64 * 2**30)
