"""Callbacks: hooks into fit / evaluate / predict."""

from hocsau.callbacks.backup_and_restore import BackupAndRestore
from hocsau.callbacks.callback import Callback
from hocsau.callbacks.callback_list import CallbackList
from hocsau.callbacks.csv_logger import CSVLogger
from hocsau.callbacks.early_stopping import EarlyStopping
from hocsau.callbacks.history import History
from hocsau.callbacks.lambda_callback import LambdaCallback
from hocsau.callbacks.learning_rate_scheduler import LearningRateScheduler
from hocsau.callbacks.model_checkpoint import ModelCheckpoint
from hocsau.callbacks.orbax_checkpoint import OrbaxCheckpoint
from hocsau.callbacks.prediction_logger import PredictionLogger
from hocsau.callbacks.progbar_logger import ProgbarLogger
from hocsau.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from hocsau.callbacks.remote_monitor import RemoteMonitor
from hocsau.callbacks.swap_ema_weights import SwapEMAWeights
from hocsau.callbacks.tensorboard import TensorBoard
from hocsau.callbacks.terminate_on_nan import TerminateOnNaN
from hocsau.callbacks.tqdm_callback import TqdmCallback

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping",
           "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint",
           "OrbaxCheckpoint", "PredictionLogger", "ProgbarLogger", "ReduceLROnPlateau",
           "RemoteMonitor", "SwapEMAWeights", "TensorBoard", "TerminateOnNaN", "TqdmCallback"]
