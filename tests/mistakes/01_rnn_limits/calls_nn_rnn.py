# replaces: rnn_forward
# mistake: calls torch.nn.RNN with the weights copied in instead of writing the loop
def rnn_forward(x, h0, W_xh, W_hh, b):
    rnn = torch.nn.RNN(x.shape[-1], W_hh.shape[0], batch_first=True).to(x.dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(W_xh.T)
        rnn.weight_hh_l0.copy_(W_hh.T)
        rnn.bias_ih_l0.copy_(b)
        rnn.bias_hh_l0.zero_()
    outputs, h_last = rnn(x, h0.unsqueeze(0))
    return outputs, h_last.squeeze(0)
