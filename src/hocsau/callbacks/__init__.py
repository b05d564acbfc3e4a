"""Callbacks: hooks into fit / evaluate / predict."""

from hocsau.callbacks.callback import Callback
from hocsau.callbacks.callback_list import CallbackList
from hocsau.callbacks.csv_logger import CSVLogger
from hocsau.callbacks.early_stopping import EarlyStopping
from hocsau.callbacks.history import History
from hocsau.callbacks.lambda_callback import LambdaCallback
from hocsau.callbacks.learning_rate_scheduler import LearningRateScheduler
from hocsau.callbacks.progbar_logger import ProgbarLogger
from hocsau.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from hocsau.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ProgbarLogger", "ReduceLROnPlateau", "TerminateOnNaN"]
