"""An echo server for request-body tests, over real HTTP on 127.0.0.1: it parses what the client sent and
answers with a JSON description of it.

    with EchoServer() as srv:        # start()/stop() also work
        srv.base_url                 # "http://127.0.0.1:PORT/v1"

Every answer (200, application/json) has ``method``, ``path``, ``content_type``, ``content_length`` (the header,
or None), ``chunked`` (Transfer-Encoding: chunked), ``size`` and ``sha256`` of the body as received, and:
- multipart/form-data: ``parts``, each ``{name, filename, content_type, headers, size, sha256, text}`` (filename
  and content_type None when absent, text None unless UTF-8). The body is checked strictly: it must open with
  ``--boundary CRLF``, close with ``--boundary-- CRLF``, and each part needs ``Content-Disposition: form-data``
  with a name; a malformed body is answered 400 with ``error``.
- application/x-www-form-urlencoded: ``form``, the ``[key, value]`` pairs in order.
- anything else: ``text`` (None unless UTF-8).
A body declared longer than the Content-Length it carries, or cut short, is answered 400.
``X-Fail-Times: N`` with ``X-Attempt-Key: K`` answers the first N requests of key K with 500 (``retry-after-ms: 1``)
after reading their bodies whole; ``attempts`` then lists the sha256 of each attempt's body for K.
Bodies over ``KEEP_LIMIT`` bytes are only counted and hashed (``parts`` is None): the memory benchmark sends 1 GiB.

Run as a script (``python tests/echo_server.py``) it prints its base URL and serves until killed.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl

KEEP_LIMIT = 64 * 1024 * 1024
_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)="((?:[^"\\]|\\.)*)"|;\s*([A-Za-z0-9_*-]+)=([^;\s]*)')


class BadBody(ValueError):
    pass


def parse_multipart(body: bytes, boundary: bytes) -> list[dict[str, Any]]:
    delimiter = b"--" + boundary
    if not body.startswith(delimiter + b"\r\n"):
        raise BadBody("the body does not open with the boundary")
    closing = b"\r\n" + delimiter + b"--\r\n"
    if not body.endswith(closing):
        raise BadBody("the body does not close with the final boundary")
    inner = body[len(delimiter) + 2: len(body) - len(closing)]
    parts = []
    for raw in inner.split(b"\r\n" + delimiter + b"\r\n") if inner else []:
        head, sep, content = raw.partition(b"\r\n\r\n")
        if not sep:
            raise BadBody("a part has no blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise BadBody(f"bad part header line {line!r}")
            headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        if not disposition.startswith("form-data"):
            raise BadBody(f"a part's Content-Disposition is {disposition!r}")
        params = {(m[1] or m[3]).lower(): (m[2] if m[1] else m[4]) for m in _PARAM.finditer(disposition[len("form-data"):])}
        if "name" not in params:
            raise BadBody("a part has no name")
        try:
            text: str | None = content.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        parts.append({"name": params["name"], "filename": params.get("filename"),
                      "content_type": headers.get("content-type"), "headers": headers, "size": len(content),
                      "sha256": hashlib.sha256(content).hexdigest(), "text": text})
    return parts


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self._echo()

    do_PUT = do_PATCH = do_DELETE = do_GET = do_POST

    def _read_body(self) -> tuple[bytes | None, int, str]:
        """(the body, or None when over the limit; its size; its sha256)."""
        digest, size, kept = hashlib.sha256(), 0, bytearray()

        def take(chunk: bytes) -> None:
            nonlocal size
            digest.update(chunk)
            size += len(chunk)
            if size <= KEEP_LIMIT:
                kept.extend(chunk)

        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                length = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if length == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                remaining = length
                while remaining:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise BadBody("the chunked body was cut short")
                    take(chunk)
                    remaining -= len(chunk)
                self.rfile.readline()
        else:
            remaining = int(self.headers.get("content-length") or 0)
            while remaining:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    raise BadBody("the body is shorter than its Content-Length")
                take(chunk)
                remaining -= len(chunk)
        return (bytes(kept) if size <= KEEP_LIMIT else None), size, digest.hexdigest()

    def _echo(self) -> None:
        try:
            body, size, sha = self._read_body()
        except BadBody as exc:
            self._reply(400, {"error": str(exc)})
            self.close_connection = True
            return
        key = self.headers.get("x-attempt-key")
        attempts: list[str] = []
        if key is not None:
            with self.server.lock:
                attempts = self.server.attempts.setdefault(key, [])
                attempts.append(sha)
                attempts = list(attempts)
            if len(attempts) <= int(self.headers.get("x-fail-times") or 0):
                self._reply(500, {"error": "failing on purpose"}, {"retry-after-ms": "1"})
                return
        content_type = self.headers.get("content-type") or ""
        out: dict[str, Any] = {
            "method": self.command, "path": self.path, "content_type": content_type or None,
            "content_length": self.headers.get("content-length"),
            "chunked": self.headers.get("transfer-encoding", "").lower() == "chunked",
            "size": size, "sha256": sha, "attempts": attempts,
        }
        media = content_type.split(";")[0].strip().lower()
        try:
            if media == "multipart/form-data":
                match = re.search(r"boundary=\"?([^\";]+)\"?", content_type)
                if match is None:
                    raise BadBody("multipart without a boundary")
                out["parts"] = None if body is None else parse_multipart(body, match[1].encode())
            elif media == "application/x-www-form-urlencoded":
                out["form"] = None if body is None else parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=bool(body))
            else:
                try:
                    out["text"] = None if body is None else body.decode("utf-8")
                except UnicodeDecodeError:
                    out["text"] = None
        except (BadBody, ValueError, UnicodeDecodeError) as exc:
            self._reply(400, {"error": f"malformed {media} body: {exc}"})
            return
        self._reply(200, out)

    def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.attempts: dict[str, list[str]] = {}


class EchoServer:
    def __init__(self) -> None:
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> Self:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    server = EchoServer().start()
    print(server.base_url, flush=True)
    threading.Event().wait()
