"""A threaded HTTP server on 127.0.0.1 that answers every request with what it received.

The JSON answer is `{"method", "path", "headers"}`: `path` is the raw request target (path and
query exactly as sent), `headers` the request's headers with lower-case names. `inject(status,
headers)` queues answers to send first (for retry tests); `requests` records every request.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class EchoServer:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._queued: deque[tuple[int, dict[str, str]]] = deque()
        self._lock = threading.Lock()
        echo = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # http.server's naming
                echo._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.port = self._http.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/api"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def inject(self, status: int, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._queued.append((status, headers or {}))

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        got = Received(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, time.monotonic())
        with self._lock:
            self.requests.append(got)
            status, extra = self._queued.popleft() if self._queued else (200, {})
        body = json.dumps({"method": got.method, "path": got.path, "headers": got.headers}).encode()
        media = "application/vnd.echo+json" if got.path.startswith("/api/search") else "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", media)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
