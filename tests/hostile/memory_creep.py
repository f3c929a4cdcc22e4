# attack: after a correct solution, fills real memory 256 MiB at a time (every page written) far past the limit: the limit on real memory, not on address space, stops it
# expect: 6
# problem: ran out of memory
# --- append
chunks = []
for _ in range(32):
    chunks.append(bytearray(256 * 2**20))
print("held", len(chunks) * 256, "MiB")
