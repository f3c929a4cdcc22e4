# replaces: rnn_forward
# mistake: calls the course's reference implementation
from course_utils.reference import rnn_forward as _reference_rnn


def rnn_forward(x, h0, W_xh, W_hh, b):
    return _reference_rnn(x, h0, W_xh, W_hh, b)
