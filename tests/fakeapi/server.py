"""A small stateful fake of OpenAI's Conversations API, over real HTTP on 127.0.0.1, for tests.

    with FakeConversationsServer(api_key="sk-test") as srv:   # start()/stop() also work; stop() is idempotent
        httpx.get(f"{srv.base_url}/conversations/conv_x", headers={"Authorization": "Bearer sk-test"})
        srv.requests[-1].path                                 # "/v1/conversations/conv_x"

``FakeConversationsServer(api_key="sk-test", *, seed=0, empty_page_id="", port=0)``: ``api_key`` None accepts any
bearer token; ``seed`` fixes the generated ids; ``empty_page_id`` is first_id/last_id of an empty page (the
spec wants strings; None sends null); ``port`` 0 picks a free one. ``base_url`` is "http://127.0.0.1:PORT/v1". ``seed_conversation(items=(),
metadata=None) -> id`` stores items verbatim; ``items(conv_id)`` returns a copy of the stored items.

The 8 operations behave like the documented API: list takes limit (1..100, default 20), order (default desc),
after (an item id) and include / include[] (validated). Input messages are stored as ``message`` items (``msg_``
id, status completed, string content -> ``input_text`` part, or ``output_text`` for role assistant); other items
get an id (and status completed where the stored resource requires it) and are stored as given. Errors use
``{"error": {"message", "type": "invalid_request_error", "param", "code"}}``: 401 missing/wrong key; 404 unknown
conversation, item or route; 400 bad JSON or parameters (an unknown ``after`` too). Responses carry
``x-request-id: req_<n>``, n counting the requests received.

``requests`` lists a ``RecordedRequest`` per request received: ``method``, ``path`` (raw target with the query
string, as sent), ``headers`` (``HTTPMessage``: case-insensitive ``get``/``get_all``), ``body`` (bytes),
``received_at`` (``time.monotonic()``), ``request_id``, ``status`` (None if dropped); ``query``, ``json()``.

``inject(*, method=None, path=None, times=1, status=None, json=None, body=None, headers=None, delay=0.0,
drop=False, handle=False) -> Fault`` queues a fault for the next ``times`` requests with that method whose path
(e.g. "/v1/conversations/conv_1/items", no query) matches ``re.search(path)``; None matches anything, and only
the first matching queued fault applies. Effects, combinable: ``delay`` seconds of waiting first; ``drop``
closes the connection without a response; ``status``/``json``/``body`` replace the response, skipping auth
and routing (``json`` is serialised, e.g. a wrong shape; ``body`` is sent raw as text/plain unless ``headers``
sets Content-Type; status defaults to 200, and >= 400 without a body gets an error envelope: type ``requests``/
code ``rate_limit_exceeded`` for 429, ``server_error`` for 5xx); ``headers`` are added to the injected or the
normal response (Retry-After, retry-after-ms, x-should-retry...); ``handle=True`` processes the request for
real before its response is replaced or dropped ("created, but the reply was lost"; without it such requests
change nothing). ``Fault.hits`` counts the requests it applied to; ``clear_faults()`` empties the queue.
"""

from __future__ import annotations

import copy
import json as _json
import random
import re
import socket
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

INCLUDE_VALUES = frozenset({
    "file_search_call.results", "web_search_call.results", "web_search_call.action.sources",
    "message.input_image.image_url", "computer_call_output.output.image_url", "code_interpreter_call.outputs",
    "reasoning.encrypted_content", "message.output_text.logprobs"})
ROLES = ("user", "assistant", "system", "developer")
NEEDS_STATUS = {"function_call", "function_call_output", "computer_call_output"}
BAD_JSON = ("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
            "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")
CONV, ITEM = r"/v1/conversations/([^/]+)", r"/items/([^/]+)"
ROUTES = [("POST", re.compile(r"/v1/conversations"), "_create"),
          ("GET", re.compile(CONV), "_retrieve"), ("POST", re.compile(CONV), "_update"),
          ("DELETE", re.compile(CONV), "_delete"), ("POST", re.compile(CONV + "/items"), "_create_items"),
          ("GET", re.compile(CONV + "/items"), "_list_items"), ("GET", re.compile(CONV + ITEM), "_get_item"),
          ("DELETE", re.compile(CONV + ITEM), "_delete_item")]


def error_body(message: str, type: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


class ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.body = status, error_body(message, "invalid_request_error", param, code)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: Message  # an http.client.HTTPMessage
    body: bytes
    received_at: float
    request_id: str
    status: int | None = None

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.path).query, keep_blank_values=True)

    def json(self) -> Any:
        return _json.loads(self.body)


@dataclass
class Fault:
    method: str | None = None
    path: str | None = None
    times: int = 1
    status: int | None = None
    json: Any = None
    body: bytes | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    handle: bool = False
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.hits < self.times and (self.method is None or self.method.upper() == method)
                and (self.path is None or re.search(self.path, path) is not None))

    def response(self) -> tuple[int, bytes, str]:
        status = 200 if self.status is None else self.status
        if self.body is not None:
            return status, self.body.encode() if isinstance(self.body, str) else self.body, "text/plain; charset=utf-8"
        payload = self.json
        if payload is None and status >= 400:
            kind = "requests" if status == 429 else "server_error" if status >= 500 else "invalid_request_error"
            code = "rate_limit_exceeded" if status == 429 else None
            payload = error_body(f"Injected fault (HTTP {status})", kind, None, code)
        return status, _json.dumps({} if payload is None else payload).encode(), "application/json"


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # head and body go out separately: no 40 ms delayed-ACK stall
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API (so responses need Content-Length)
    timeout = 30  # an idle keep-alive connection gives up eventually even without stop()

    server: _Server

    def _any(self) -> None:
        self.server.fake._serve(self)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    fake: FakeConversationsServer

    def process_request(self, request: Any, client_address: Any) -> None:
        # Runs in the serve_forever thread, so once shutdown() has returned the registry below is complete.
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                  name="fake-conversations-handler", daemon=True)
        with self.fake._lock:
            self.fake._conns = {s: t for s, t in self.fake._conns.items() if t.is_alive()}
            self.fake._conns[request] = thread
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client went away, or we dropped/stopped: nothing useful to print


class FakeConversationsServer:
    def __init__(self, api_key: str | None = "sk-test", *, seed: int = 0, empty_page_id: str | None = "",
                 port: int = 0) -> None:
        self.api_key, self.empty_page_id, self.port = api_key, empty_page_id, port
        self.requests: list[RecordedRequest] = []
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._faults: list[Fault] = []
        self._convs: dict[str, dict] = {}
        self._items: dict[str, list[dict]] = {}
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._counter = 0
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----
    def start(self) -> Self:
        self._stopping.clear()
        self._httpd = _Server(("127.0.0.1", self.port), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-conversations", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # interrupts delays
        self._httpd.shutdown()  # no new connections after this
        for sock, thread in list(self._conns.items()):  # wake handlers blocked on idle keep-alive connections
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            thread.join(timeout=2)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._conns.clear()
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

    # ---- test helpers ----
    def inject(self, *, method: str | None = None, path: str | None = None, times: int = 1,
               status: int | None = None, json: Any = None, body: bytes | str | None = None,
               headers: dict[str, str] | None = None, delay: float = 0.0, drop: bool = False,
               handle: bool = False) -> Fault:
        fault = Fault(method, path, times, status, json, body, dict(headers or {}), delay, drop, handle)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def seed_conversation(self, items: Any = (), metadata: dict | None = None, conversation_id: str | None = None) -> str:
        with self._lock:
            conv = self._new_conversation(metadata)
            if conversation_id is not None:  # a fixed id, e.g. the docs' conv_123
                del self._convs[conv["id"]], self._items[conv["id"]]
                conv["id"] = conversation_id
                self._convs[conversation_id] = conv
            self._items[conv["id"]] = copy.deepcopy(list(items))
            return conv["id"]

    def items(self, conv_id: str) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._items.get(conv_id, []))

    # ---- HTTP plumbing ----
    def _serve(self, h: _Handler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))  # clients here send Content-Length
        with self._lock:
            self._counter += 1
            rec = RecordedRequest(h.command, h.path, h.headers, body, time.monotonic(), f"req_{self._counter}")
            self.requests.append(rec)
            fault = next((f for f in self._faults if f.matches(h.command, urlsplit(h.path).path)), None)
            if fault is not None:
                fault.hits += 1
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        replace = fault is not None and (fault.status, fault.json, fault.body) != (None, None, None)
        if fault is None or fault.handle or not (replace or fault.drop):
            status, payload = self._dispatch(h.command, h.path, h.headers, body)
            data, ctype = _json.dumps(payload).encode(), "application/json"
        if self._stopping.is_set() or (fault is not None and fault.drop):
            h.close_connection = True
            with suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and replace:
            status, data, ctype = fault.response()
        rec.status = status
        h.send_response(status)
        headers = {"Content-Type": ctype, "x-request-id": rec.request_id, **(fault.headers if fault else {})}
        for name, value in {**headers, "Content-Length": len(data)}.items():
            h.send_header(name, str(value))
        h.end_headers()
        h.wfile.write(data)

    def _dispatch(self, method: str, raw_path: str, headers: Message, body: bytes) -> tuple[int, Any]:
        url = urlsplit(raw_path)
        try:
            self._check_auth(headers.get("Authorization"))
            for route_method, pattern, name in ROUTES:
                match = pattern.fullmatch(url.path)
                if match and route_method == method:
                    query, ids = parse_qsl(url.query, keep_blank_values=True), [unquote(g) for g in match.groups()]
                    self._include(query)
                    with self._lock:
                        if ids and ids[0] not in self._convs:
                            raise ApiError(404, f"Conversation with id '{ids[0]}' not found.")
                        return 200, getattr(self, name)(query, body, *ids)
            raise ApiError(404, f"Invalid URL ({method} {url.path})")
        except ApiError as exc:
            return exc.status, exc.body

    def _check_auth(self, value: str | None) -> None:
        scheme, _, token = (value or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not (token := token.strip()):
            raise ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                                "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        if self.api_key is not None and token != self.api_key:
            shown = token[:3] + "*" * max(len(token) - 7, 0) + token[-4:] if len(token) > 8 else token
            raise ApiError(401, f"Incorrect API key provided: {shown}. You can find your API key at "
                                "https://platform.openai.com/account/api-keys.", code="invalid_api_key")

    # ---- the operations ----
    def _create(self, query: list, body: bytes) -> dict:
        data = self._json_body(body) if body.strip() else {}  # the body is optional here
        stored = self._store_items(data.get("items") or [])
        conv = self._new_conversation(data.get("metadata"))
        self._items[conv["id"]] = stored
        return dict(conv)

    def _retrieve(self, query: list, body: bytes, conv_id: str) -> dict:
        return dict(self._convs[conv_id])

    def _update(self, query: list, body: bytes, conv_id: str) -> dict:
        conv, data = self._convs[conv_id], self._json_body(body)
        if "metadata" not in data:
            raise ApiError(400, "Missing required parameter: 'metadata'.", "metadata", "missing_required_parameter")
        conv["metadata"] = self._metadata(data["metadata"])
        return dict(conv)

    def _delete(self, query: list, body: bytes, conv_id: str) -> dict:
        del self._convs[conv_id], self._items[conv_id]
        return {"id": conv_id, "object": "conversation.deleted", "deleted": True}

    def _create_items(self, query: list, body: bytes, conv_id: str) -> dict:
        data = self._json_body(body)
        if "items" not in data:
            raise ApiError(400, "Missing required parameter: 'items'.", "items", "missing_required_parameter")
        created = self._store_items(data["items"])
        self._items[conv_id].extend(created)
        return self._page(copy.deepcopy(created), has_more=False)

    def _list_items(self, query: list, body: bytes, conv_id: str) -> dict:
        params = dict(query)  # the last value of a repeated parameter wins
        limit, order = params.get("limit", "20"), params.get("order", "desc")
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise ApiError(400, f"Invalid 'limit': expected an integer from 1 to 100, got '{limit}'.", "limit")
        if order not in ("asc", "desc"):
            raise ApiError(400, f"Invalid 'order': '{order}'. Supported values are: 'asc' and 'desc'.", "order")
        limit = int(limit)
        items = self._items[conv_id] if order == "asc" else self._items[conv_id][::-1]
        if "after" in params:
            start = self._item_index(conv_id, params["after"], param="after")
            items = items[(start if order == "asc" else len(items) - 1 - start) + 1:]
        return self._page(copy.deepcopy(items[:limit]), has_more=len(items) > limit)

    def _get_item(self, query: list, body: bytes, conv_id: str, item_id: str) -> dict:
        return copy.deepcopy(self._items[conv_id][self._item_index(conv_id, item_id)])

    def _delete_item(self, query: list, body: bytes, conv_id: str, item_id: str) -> dict:
        del self._items[conv_id][self._item_index(conv_id, item_id)]
        return dict(self._convs[conv_id])

    # ---- helpers (called with the lock held) ----
    @staticmethod
    def _json_body(body: bytes) -> dict:
        try:
            data = _json.loads(body)
        except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
            raise ApiError(400, BAD_JSON) from None
        if not isinstance(data, dict):
            raise ApiError(400, "Invalid body: expected a JSON object.")
        return data

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{self._rng.getrandbits(192):048x}"

    def _new_conversation(self, metadata: Any) -> dict:
        conv_id = self._new_id("conv")
        conv = {"id": conv_id, "object": "conversation", "created_at": int(time.time()),
                "metadata": self._metadata(metadata)}
        self._convs[conv_id], self._items[conv_id] = conv, []
        return conv

    def _item_index(self, conv_id: str, item_id: str, param: str | None = None) -> int:
        for index, item in enumerate(self._items[conv_id]):
            if item.get("id") == item_id:
                return index
        raise ApiError(400 if param else 404, f"Item with id '{item_id}' not found.", param)

    @staticmethod
    def _metadata(value: Any) -> dict:
        if value is None:
            return {}
        if (not isinstance(value, dict) or len(value) > 16
                or not all(isinstance(v, str) and len(k) <= 64 and len(v) <= 512 for k, v in value.items())):
            raise ApiError(400, "Invalid 'metadata': expected at most 16 string pairs (keys <= 64 and values <= 512 "
                                "characters).", "metadata", "invalid_value")
        return dict(value)

    @staticmethod
    def _include(query: list[tuple[str, str]]) -> None:
        for value in (v for k, v in query if k in ("include", "include[]")):
            if value not in INCLUDE_VALUES:
                raise ApiError(400, f"Invalid value: '{value}'. Supported values are: "
                               + ", ".join(f"'{v}'" for v in sorted(INCLUDE_VALUES)) + ".", "include", "invalid_value")

    def _store_items(self, items: Any) -> list[dict]:
        if not isinstance(items, list) or len(items) > 20:
            raise ApiError(400, "Invalid 'items': expected an array with maximum length 20.", "items", "invalid_value")
        return [self._stored_item(item, f"items[{i}]") for i, item in enumerate(items)]

    def _stored_item(self, raw: Any, param: str) -> dict:
        if not isinstance(raw, dict):
            raise ApiError(400, f"Invalid type for '{param}': expected an object.", param, "invalid_type")
        kind = raw.get("type") or ("message" if "role" in raw else None)  # EasyInputMessage: type optional
        if kind == "message":
            role, content = raw.get("role"), copy.deepcopy(raw.get("content"))
            if isinstance(content, str):
                content = [{"type": "output_text" if role == "assistant" else "input_text", "text": content}]
            if role not in ROLES or not isinstance(content, list) or not all(isinstance(p, dict) for p in content):
                raise ApiError(400, f"Invalid '{param}': bad role or content.", param, "invalid_value")
            for part in content:
                if part.get("type") == "output_text":
                    part.setdefault("annotations", [])
                    part.setdefault("logprobs", [])
            item = {"type": "message", "id": raw.get("id") or self._new_id("msg"), "status": "completed",
                    "role": role, "content": content}
            return {**item, "phase": raw["phase"]} if "phase" in raw else item
        if not isinstance(kind, str):
            raise ApiError(400, f"Missing required parameter: '{param}.type'.", f"{param}.type",
                           "missing_required_parameter")
        item = copy.deepcopy(raw)
        item["id"] = item.get("id") or self._new_id("".join(word[0] for word in kind.split("_")))  # fc, fco, wsc...
        if kind in NEEDS_STATUS and item.get("status") is None:
            item["status"] = "completed"
        return item

    def _page(self, data: list[dict], has_more: bool) -> dict:
        first, last = (data[0]["id"], data[-1]["id"]) if data else (self.empty_page_id, self.empty_page_id)
        return {"object": "list", "data": data, "first_id": first, "last_id": last, "has_more": has_more}
