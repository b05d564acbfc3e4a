"""Recurrent layers: cells, RNN, SimpleRNN, GRU, LSTM, Bidirectional, TimeDistributed."""

__all__: list[str] = []
