"""Recurrent layers: cells, RNN, SimpleRNN, GRU, LSTM, Bidirectional, TimeDistributed."""

from hocsau.layers.rnn.bidirectional import Bidirectional
from hocsau.layers.rnn.gru import GRU
from hocsau.layers.rnn.gru_cell import GRUCell
from hocsau.layers.rnn.lstm import LSTM
from hocsau.layers.rnn.lstm_cell import LSTMCell
from hocsau.layers.rnn.rnn import RNN
from hocsau.layers.rnn.simple_rnn import SimpleRNN
from hocsau.layers.rnn.simple_rnn_cell import SimpleRNNCell
from hocsau.layers.rnn.stacked_rnn_cells import StackedRNNCells
from hocsau.layers.rnn.time_distributed import TimeDistributed

__all__: list[str] = ["GRU", "LSTM", "RNN", "Bidirectional", "GRUCell", "LSTMCell", "SimpleRNN",
                      "SimpleRNNCell", "StackedRNNCells", "TimeDistributed"]
