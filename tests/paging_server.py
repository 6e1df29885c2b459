"""A threaded HTTP server on 127.0.0.1 that pages a list of seven things every way
tests/features/pagination.yaml describes; `requests` records each request's path and query,
`headers` its headers (lower-case names). `next_base` sends the next-URL pages elsewhere."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

THINGS = [{"id": f"t{n}", "name": f"thing {n}"} for n in range(1, 8)]


class PagingServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.headers: list[dict[str, str]] = []
        self.next_base = ""  # the base URL of the links in `next_url` ("": this server's)
        self.things = list(THINGS)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # http.server's naming
                server._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.port = self._http.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def queries(self, path: str) -> list[dict[str, str]]:
        return [q for p, q in self.requests if p == path]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = dict(parse_qsl(url.query))
        self.requests.append((url.path, query))
        self.headers.append({k.lower(): v for k, v in handler.headers.items()})
        things, headers = self.things, {"Content-Type": "application/json"}
        limit = int(query.get("limit") or query.get("per_page") or 3)
        body: Any
        if url.path == "/v1/events":  # cursor "c<index>" in `next_cursor`
            start = int(query.get("cursor", "c0")[1:])
            end = start + limit
            body = {"data": things[start:end], "has_more": end < len(things),
                    "next_cursor": f"c{end}" if end < len(things) else None}
        elif url.path == "/v1/pets":  # after=<id of the last item>
            ids = [t["id"] for t in things]
            start = ids.index(query["after"]) + 1 if "after" in query else 0
            body = {"data": things[start:start + limit], "has_more": start + limit < len(things)}
        elif url.path == "/v1/orders":
            offset = int(query.get("offset", 0))
            body = {"items": things[offset:offset + limit], "total": len(things)}
        elif url.path == "/v1/books":  # no total_pages: the client stops at the empty page
            page = int(query.get("page", 1))
            body = {"results": things[(page - 1) * limit:page * limit]}
        elif url.path == "/v1/songs":  # an absolute next URL
            start = int(query.get("start", 0))
            end = start + limit
            link = f"{self.next_base or self.base_url}/songs?start={end}&limit={limit}" if end < len(things) else None
            body = {"data": things[start:end], "next_url": link}
        elif url.path == "/v1/repos":  # a relative next link among others in the Link header
            page = int(query.get("page", 1))
            body = things[(page - 1) * limit:page * limit]
            last = -(-len(things) // limit)
            links = [f'</v1/repos?page={last}&per_page={limit}>; rel="last"']
            if page < last:
                links.insert(0, f'</v1/repos?page={page + 1}&per_page={limit}>; rel="next"')
            headers["Link"] = ", ".join(links)
        elif url.path in ("/v1/tags", "/v1/logs"):
            body = {"object": "list", "data": things} if url.path == "/v1/tags" else {"entries": things}
        else:
            body, handler_status = {"error": "not found"}, 404
            return self._send(handler, handler_status, body, headers)
        self._send(handler, 200, body, headers)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
