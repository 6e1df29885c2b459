"""A fake of tests/features/media.yaml over real HTTP on 127.0.0.1: event streams, downloads, text.

    with FakeMediaServer() as srv:
        srv.base_url                      # "http://127.0.0.1:PORT/v1"
        srv.requests                      # [(method, path, body bytes)], one per request received

Routes (any bearer token is accepted):
- ``POST /v1/completions`` ``{"prompt": P, "stream": S}``: without ``stream: true`` the JSON
  ``{"id": "cmpl_1", "text": P}``; with it, server-sent events, chunked: one ``completion.delta``
  event per word of P, then ``completion.done`` with the whole completion, then ``data: [DONE]``.
  The words of P may also be directives: ``slow`` waits 0.2 s before the next event, ``error``
  sends an ``event: error`` (the stream ends there), ``drop`` closes the connection mid-event,
  ``unknown`` sends an event of a type the spec does not know, ``comment`` a keep-alive comment,
  ``crlf`` switches the rest of the stream to CRLF line ends, ``split`` sends every following
  byte in its own chunk. Without ``stream``, the prompt ``truncated`` breaks the JSON body off.
- ``GET /v1/events?topic=T``: the same events for the words of T, always as a stream (but topic
  ``json-instead`` answers a JSON object; the word ``misfit`` sends a delta event whose delta is 42).
- ``POST /v1/speech`` ``{"input": I}``: ``audio/mpeg`` bytes (I encoded, repeated 1000 times);
  with ``"stream_format": "sse"`` the events of the words of I, as for a completion.
- ``GET /v1/downloads/{id}``: ``application/octet-stream``; ``id`` is ``SIZE`` or ``chunked-SIZE``
  (bytes; the second without Content-Length); the content is ``pattern(SIZE)``, made on the fly.
- ``GET /v1/notes/{id}``: ``text/plain; charset=utf-8`` ``"note {id} ✓"``; ``DELETE`` answers 204.
``fail_next`` (an int) makes that many next requests answer 500 (to see retries).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

CHUNK = 64 * 1024
_PATTERN = bytes(range(256)) * (CHUNK // 256)


def pattern(size: int) -> Iterator[bytes]:
    """The bytes of a download of `size` bytes, in chunks (never all in memory)."""
    while size > 0:
        piece = _PATTERN[: min(size, CHUNK)]
        size -= len(piece)
        yield piece


def sse(event: str | None, data: Any, newline: str = "\n") -> bytes:
    lines = ([f"event: {event}"] if event else []) + [f"data: {line}" for line in json.dumps(data, indent=1).split("\n")]
    return (newline.join(lines) + newline + newline).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _any(self) -> None:
        fake = self.server.fake
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        with fake.lock:
            fake.requests.append((self.command, self.path, body))
            failing = fake.fail_next > 0
            fake.fail_next -= failing
        if failing:
            return self._send(500, b'{"error": {"message": "try again", "type": "server_error"}}', "application/json")
        route = (self.command, url.path)
        if route == ("POST", "/v1/completions"):
            doc = json.loads(body)
            if doc.get("stream") is True:
                return self._events(doc["prompt"])
            if doc["prompt"] == "truncated":  # the JSON body breaks off
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b'{"id": "cmpl_1", ')
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            return self._send(200, json.dumps({"id": "cmpl_1", "text": doc["prompt"]}).encode(), "application/json")
        if route == ("GET", "/v1/events"):
            topic = dict(parse_qsl(url.query)).get("topic", "")
            if topic == "json-instead":  # a server that answers JSON where events are documented
                return self._send(200, b'{"id": "cmpl_1", "text": "not events"}', "application/json")
            return self._events(topic)
        if route == ("POST", "/v1/speech"):
            doc = json.loads(body)
            if doc.get("stream_format") == "sse":
                return self._events(doc["input"])
            return self._send(200, doc["input"].encode() * 1000, "audio/mpeg")
        if self.command == "GET" and url.path.startswith("/v1/downloads/"):
            ident = url.path.rsplit("/", 1)[1]
            chunked = ident.startswith("chunked-")
            size = int(ident.removeprefix("chunked-"))
            return self._stream(pattern(size), "application/octet-stream", None if chunked else size)
        if url.path.startswith("/v1/notes/"):
            note = url.path.rsplit("/", 1)[1]
            if self.command == "DELETE":
                return self._send(204, b"", "")
            return self._send(200, f"note {note} ✓".encode(), "text/plain; charset=utf-8")
        return self._send(404, b'{"error": {"message": "no such route"}}', "application/json")

    do_GET = do_POST = do_DELETE = _any

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, chunks: Iterator[bytes], content_type: str, length: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if length is None else chunk)
        if length is None:
            self.wfile.write(b"0\r\n\r\n")

    def _events(self, prompt: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        newline, split, words = "\n", False, []

        def out(data: bytes) -> None:
            pieces = [data[i:i + 1] for i in range(len(data))] if split else [data]
            for piece in pieces:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()

        for word in prompt.split():
            if word == "slow":
                time.sleep(0.2)
            elif word == "error":
                out(sse("error", {"error": {"message": "the model broke", "type": "server_error", "code": "boom"}}, newline))
                self.wfile.write(b"0\r\n\r\n")
                return
            elif word == "drop":
                out(b'data: {"type": "completion.del')
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            elif word == "unknown":
                out(sse("completion.future", {"type": "completion.future", "novel": [1, 2]}, newline))
            elif word == "misfit":  # a known event whose delta is not the documented string
                out(sse("completion.delta", {"type": "completion.delta", "delta": 42}, newline))
            elif word == "comment":
                out(b": keep-alive" + newline.encode())
            elif word == "crlf":
                newline = "\r\n"
            elif word == "split":
                split = True
            else:
                words.append(word)
                out(sse("completion.delta", {"type": "completion.delta", "delta": word}, newline))
        completion = {"id": "cmpl_1", "text": " ".join(words)}
        out(sse("completion.done", {"type": "completion.done", "completion": completion}, newline))
        out(f"data: [DONE]{newline}{newline}".encode())
        self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeMediaServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client went away, or we dropped the connection on purpose


class FakeMediaServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-media", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
