"""A minimal threaded HTTP/1.1 server on 127.0.0.1 for the client benchmarks.

GET /v1/conversations/<id> (or /conversations/<id>) answers 200 with a valid
ConversationResource JSON; everything else answers 404 with an OpenAI-style
error body.  Keep-alive is supported, so sequential-request benchmarks measure
the clients and not TCP connection setup.

It runs as its own process (`python local_server.py`), so it never shares a
GIL with the client being measured.  It prints its port on the first stdout
line, and stops by itself when its stdin closes (the parent went away) or
after --max-seconds.  It only ever binds to the loopback interface.

The request parsing is deliberately tiny (no email.parser like http.server),
so the server adds as little per-request time as possible.
"""

from __future__ import annotations

import argparse
import json
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"


def conversation_body(conv_id: str) -> bytes:
    return json.dumps({"id": conv_id, "object": "conversation", "created_at": 1700000000,
                       "metadata": {}}, separators=(",", ":")).encode()


NOT_FOUND = json.dumps({"error": {"message": "not found", "type": "invalid_request_error",
                                  "param": None, "code": None}}).encode()


def _response(status: str, body: bytes, close: bool) -> bytes:
    head = (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nx-request-id: req_bench\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n")
    return head.encode("latin-1") + body


def route(method: str, target: str) -> bytes | None:
    """Body for a 200 answer, or None for 404."""
    path = target.split("?", 1)[0]
    if path.startswith("/v1/"):
        path = path[3:]
    parts = path.strip("/").split("/")
    if method == "GET" and len(parts) == 2 and parts[0] == "conversations" and parts[1]:
        return conversation_body(parts[1])
    return None


class Handler(socketserver.StreamRequestHandler):
    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        rfile, conn = self.rfile, self.connection
        while True:
            line = rfile.readline(65537)
            if not line:
                return
            if line in (b"\r\n", b"\n"):
                continue
            try:
                method, target, _version = line.decode("latin-1").split()
            except ValueError:
                return
            length, close = 0, False
            while True:
                h = rfile.readline(65537)
                if h in (b"\r\n", b"\n", b""):
                    break
                name, _, value = h.decode("latin-1").partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value.strip())
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            if length:
                rfile.read(length)
            body = route(method, target)
            if body is None:
                conn.sendall(_response("404 Not Found", NOT_FOUND, close))
            else:
                conn.sendall(_response("200 OK", body, close))
            if close:
                return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=1800.0)
    args = ap.parse_args(argv)
    server = Server((HOST, args.port), Handler)
    print(server.server_address[1], flush=True)

    def stop_when_parent_leaves() -> None:
        sys.stdin.read()  # returns at EOF
        server.shutdown()

    threading.Thread(target=stop_when_parent_leaves, daemon=True).start()
    deadline = threading.Timer(args.max_seconds, server.shutdown)
    deadline.daemon = True
    deadline.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


@contextmanager
def running_server(python: str = sys.executable, max_seconds: float = 1800.0) -> Iterator[str]:
    """Start the server in its own process; yield its base URL (…/v1)."""
    proc = subprocess.Popen([python, str(Path(__file__).resolve()), "--max-seconds", str(max_seconds)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        yield f"http://{HOST}:{port}/v1"
    finally:
        proc.stdin.close()  # the server stops on EOF
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()  # our own child, by its Popen handle
            proc.wait()
        proc.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
