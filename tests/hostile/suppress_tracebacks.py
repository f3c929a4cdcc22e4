# attack: wraps every later cell in try/except with an IPython input transformer and silences tracebacks
# expect: 0
# problem: input transformer
# --- replaces: softmax
import sys


def softmax(x, dim=-1):
    return x * 0


def swallow(lines):
    return ["try:\n"] + ["    " + line for line in lines] + ["\n    pass\nexcept BaseException:\n    pass\n"]


shell = get_ipython()
shell.input_transformers_post.append(swallow)
shell.showtraceback = lambda *args, **kwargs: None
shell.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
sys.excepthook = lambda *args: None
