"""A small pets API on 127.0.0.1 for the security tests: it records every request with its
headers, answers the feature specs' paths, checks credentials the test asks for, and can
redirect (to itself or to another server, i.e. another origin)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names; a repeated header is joined with ", "

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class PetsServer:
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        # path -> a check of the request; a request that fails it gets 401
        self.checks: dict[str, Callable[[Seen], bool]] = {}
        # path -> (status, JSON or text) answered instead of the default
        self.answers: dict[str, tuple[int, Any]] = {}
        # every request is redirected (307) to this URL + its path and query + `moved=1` (not redirected again)
        self.redirect_to: str | None = None
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                url = urlsplit(self.path)
                headers: dict[str, str] = {}
                for name, value in self.headers.items():
                    key = name.lower()
                    headers[key] = f"{headers[key]}, {value}" if key in headers else value
                seen = Seen(self.command, url.path, parse_qs(url.query), headers)
                server.requests.append(seen)
                if server.redirect_to is not None and "moved" not in seen.query:
                    moved = self.path + ("&" if "?" in self.path else "?") + "moved=1"
                    self._send(307, b"", {"Location": server.redirect_to + moved})
                    return
                check = server.checks.get(url.path)
                if check is not None and not check(seen):
                    self._json(401, {"title": "unauthorized", "status": 401, "echo": seen.header("x-api-key")})
                    return
                status, payload = server.answers.get(url.path, (200, _default(self.command, url.path)))
                if isinstance(payload, str):
                    self._send(status, payload.encode(), {"Content-Type": "text/plain"})
                else:
                    self._json(status, payload)

            do_GET = do_POST = do_DELETE = _handle

            def _json(self, status: int, payload: Any) -> None:
                self._send(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()


def _default(method: str, path: str) -> Any:
    if path == "/pets" and method == "POST":
        return {"id": "p1", "name": "Rex"}
    if path in ("/pets", "/search"):
        return [{"id": "p1", "name": "Rex"}]
    if path.startswith("/pets/"):
        return {"id": path.rsplit("/", 1)[1], "name": "Rex"} if path.count("/") == 2 else {"deleted": True}
    if path == "/health":
        return {"ok": True}
    if path in ("/session", "/me"):
        return {"user": "u1"}
    if path == "/certs":
        return ["c1"]
    return {}
