"""Recurrent layers: cells, RNN, SimpleRNN, GRU, LSTM, ConvLSTM1D/2D/3D, Bidirectional,
TimeDistributed."""

from hocsau.layers.rnn.bidirectional import Bidirectional
from hocsau.layers.rnn.conv_lstm1d import ConvLSTM1D
from hocsau.layers.rnn.conv_lstm2d import ConvLSTM2D
from hocsau.layers.rnn.conv_lstm3d import ConvLSTM3D
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
                      "SimpleRNNCell", "StackedRNNCells", "TimeDistributed", "ConvLSTM1D",
                      "ConvLSTM2D", "ConvLSTM3D"]
