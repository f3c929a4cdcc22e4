# attack: calls the built-in softmax after disabling the recorders behind forbidden_calls (only the test that watches for the built-in can catch it, as for an honest student who calls it)
# expect: 5
# problem: rebinds
# --- replaces: softmax
import course_utils.testing as checks


def softmax(x, dim=-1):
    return getattr(torch.nn.functional, "soft" + "max")(x, dim=dim)


checks._OpRecorder.__torch_function__ = lambda self, func, types, args=(), kwargs=None: func(*args, **(kwargs or {}))
checks._KernelRecorder.__torch_dispatch__ = lambda self, func, types, args=(), kwargs=None: func(*args, **(kwargs or {}))
