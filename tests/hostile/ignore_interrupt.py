# attack: an endless loop that swallows the interrupt, so only the CPU or wall limit can stop it
# expect: 0
# problem: later cells score 0
# --- replaces: softmax
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    try:
        pass
    except KeyboardInterrupt:
        pass
