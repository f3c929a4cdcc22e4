# attack: an endless loop that swallows the interrupt, so the grader must stop the kernel itself (the loop sleeps: a spinning one would only take a core from the rest of the batch for the two cell limits it is waited for)
# expect: 0
# problem: did not stop when interrupted
# problem: later cells score 0
# --- replaces: softmax
import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    try:
        time.sleep(1)
    except KeyboardInterrupt:
        pass
