"""Callbacks: hooks into fit / evaluate / predict."""

from hocsau.callbacks.callback import Callback
from hocsau.callbacks.callback_list import CallbackList
from hocsau.callbacks.history import History
from hocsau.callbacks.progbar_logger import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
