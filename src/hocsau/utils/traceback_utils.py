"""Shorter tracebacks: frames inside hocsau (and torch) are dropped from errors raised by the
public entry points, so what remains is the user's own code and the error message.
`hocsau.config.disable_traceback_filtering()` shows everything again."""

from __future__ import annotations

import functools
import os
import traceback
import types

import torch

from hocsau import config

_HIDDEN = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
           os.path.dirname(os.path.abspath(torch.__file__)))


def _filtered(tb):
    frames = list(traceback.walk_tb(tb))
    kept = None
    for frame, line in reversed(frames):
        if not frame.f_code.co_filename.startswith(_HIDDEN):
            kept = types.TracebackType(kept, frame, frame.f_lasti, line)
    if kept is None and frames:
        frame, line = frames[0]
        kept = types.TracebackType(None, frame, frame.f_lasti, line)
    return kept


def filter_traceback(fn):
    """Re-raise `fn`'s errors with hocsau's and torch's frames removed (when enabled)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not config.is_traceback_filtering_enabled():
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            raise error.with_traceback(_filtered(error.__traceback__)) from None

    return wrapper
