# replaces: rnn_forward
# alternative: preallocates the outputs with x.new_zeros (the input's dtype and device) and fills them
def rnn_forward(x, h0, W_xh, W_hh, b):
    B, T, _ = x.shape
    outputs = x.new_zeros(B, T, W_hh.shape[0])  # (B, T, H)
    hidden = h0  # (B, H)
    for t in range(T):
        hidden = torch.tanh(x[:, t] @ W_xh + hidden @ W_hh + b)  # (B, H)
        outputs[:, t] = hidden
    return outputs, hidden
