"""`RemoteMonitor`: POSTs each epoch's logs to an HTTP server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class


@keras_class("keras.callbacks")
class RemoteMonitor(Callback):
    """Send `{"epoch": i, **logs}` to `root + path` at the end of every epoch (HTTP POST).

    The standard library sends it (no `requests` needed): as a form field `field` holding the
    JSON text, or with `send_as_json=True` as an `application/json` body, as Keras does.
    An unreachable server gives a warning, never an error.

    Args:
        root: the server's root URL.
        path: the path under `root` receiving the events.
        field: the form field holding the JSON (form posts only).
        headers: extra HTTP headers.
        send_as_json: post the JSON itself instead of a form.
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: dict | None = None, send_as_json: bool = False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None) -> None:
        payload = {"epoch": epoch}
        for key, value in (logs or {}).items():
            payload[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        text = json.dumps(payload)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body, kind = text.encode("utf-8"), "application/json"
        else:
            body = urllib.parse.urlencode({self.field: text}).encode("ascii")
            kind = "application/x-www-form-urlencoded"
        headers.setdefault("Content-Type", kind)
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
