"""A throwaway HTTP server on 127.0.0.1 for download tests: no test may touch the internet.

`serve(files)` serves `{name: bytes}` at `server.url + name`. Names in `truncated` announce
their full length but send half the body and close the connection; names in `stalled` send half
and then hang until the server stops (a download to kill). `server.requests` lists the paths
asked for.
"""

from __future__ import annotations

import contextlib
import http.server
import threading


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server dispatches to
        server = self.server
        name = self.path.lstrip("/")
        server.requests.append(name)
        body = server.files.get(name)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if name in server.truncated or name in server.stalled:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if name in server.stalled:
                server.stopping.wait()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        """Keep test output clean."""


@contextlib.contextmanager
def serve(files: dict[str, bytes], truncated=(), stalled=()):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.files, server.requests = files, []
    server.truncated, server.stalled = set(truncated), set(stalled)
    server.stopping = threading.Event()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
