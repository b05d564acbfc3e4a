"""`RemoteMonitor`: each epoch's logs POSTed to a server (a local one on 127.0.0.1)."""

import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import hocsau
from hocsau import layers


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the name http.server dispatches to
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        """Keep test output clean."""


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.received = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _fit(callback, epochs=2):
    model = hocsau.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    return model.fit(x, x[:, :1], epochs=epochs, verbose=0, callbacks=[callback])


def test_posts_each_epoch_as_a_form_field(server):
    root = f"http://127.0.0.1:{server.server_port}"
    history = _fit(hocsau.callbacks.RemoteMonitor(root=root, headers={"X-Run": "seed-004"}))
    assert len(server.received) == 2
    for epoch, (path, headers, body) in enumerate(server.received):
        assert path == "/publish/epoch/end/"
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert headers["X-Run"] == "seed-004"
        sent = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
        assert sent == {"epoch": epoch, "loss": history.history["loss"][epoch],
                        "mae": history.history["mae"][epoch]}


def test_posts_json_to_a_custom_path(server):
    root = f"http://127.0.0.1:{server.server_port}"
    callback = hocsau.callbacks.RemoteMonitor(root=root, path="/events", field="ignored",
                                              send_as_json=True)
    callback.on_epoch_end(3, {"loss": np.float32(0.5), "acc": np.array(0.25)})
    path, headers, body = server.received[0]
    assert path == "/events" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"epoch": 3, "loss": 0.5, "acc": 0.25}


def test_an_unreachable_server_only_warns():
    callback = hocsau.callbacks.RemoteMonitor(root="http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        callback.on_epoch_end(0, {"loss": 1.0})
