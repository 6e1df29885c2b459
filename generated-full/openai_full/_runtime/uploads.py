"""Request bodies other than JSON: multipart uploads, urlencoded forms, raw bytes and text.

Hand-written and copied verbatim into every generated package. A generated method wraps
its arguments in `Multipart`, `Urlencoded` or `Raw`; the HTTP layer turns that into a
request body stream (`encode`). Files are read in chunks while the request is sent, never
whole, and every attempt (a retry) reads them again from where they started.
"""

from __future__ import annotations

import enum
import io
import json
import os
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import IO, Any, TypeAlias
from urllib.parse import urlencode

import httpx

from .models import UNSET, Unset, encode

FileContent: TypeAlias = IO[bytes] | bytes | os.PathLike[str]
FileTypes: TypeAlias = (
    FileContent
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
# (content type from the spec's `encoding`, style, explode) per field; absent: by value
Encoding: TypeAlias = Mapping[str, tuple[str, str, bool]]
CHUNK_SIZE = 64 * 1024
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}


def is_file(value: object) -> bool:
    """What a file field accepts: bytes, a binary file, a path, or a tuple holding one second."""
    if isinstance(value, tuple):
        return 2 <= len(value) <= 4 and is_file(value[1])
    return isinstance(value, (bytes, bytearray, memoryview, io.IOBase, os.PathLike))


class BodyStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A request body that can be sent again (for a retry), by a sync or an async client."""

    def __init__(self, content_type: str, length: int | None) -> None:
        self.content_type = content_type
        self.length = length  # None: unknown (a pipe): sent chunked

    def headers(self) -> dict[str, str]:
        size = (
            {"Content-Length": str(self.length)}
            if self.length is not None
            else {"Transfer-Encoding": "chunked"}
        )
        return {"Content-Type": self.content_type, **size}

    def chunks(self) -> Iterator[bytes]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # file reads block for one chunk at a time; a thread per chunk would cost more than it saves
        for chunk in self.chunks():
            yield chunk


class _Source:
    """The bytes of one file, readable again from the start for each attempt."""

    def __init__(self, content: FileContent, what: str) -> None:
        self.data: bytes | None = None
        self.path = ""
        self.file: IO[bytes] | None = None
        self.start: int | None = None
        self.size: int | None = None
        if isinstance(content, (bytes, bytearray, memoryview)):
            self.data = bytes(content)
            self.size = len(self.data)
        elif isinstance(content, os.PathLike):
            self.path = os.fspath(content)
            self.size = os.stat(self.path).st_size
        elif isinstance(content, io.IOBase):
            if isinstance(content, io.TextIOBase):
                raise TypeError(f"{what}: open the file in binary mode ('rb'), not text mode")
            self.file = content
            if content.seekable():
                self.start = content.tell()
                self.size = content.seek(0, os.SEEK_END) - self.start
                content.seek(self.start)
        else:
            raise TypeError(
                f"{what} must be bytes, a binary file, a path or a (filename, content, ...) tuple, "
                f"got {type(content).__name__}"
            )
        self._sent = False

    def name(self) -> str | None:
        if self.path:
            return os.path.basename(self.path)
        name = getattr(self.file, "name", None)
        return os.path.basename(name) if isinstance(name, str) else None

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        if self.path:
            with open(self.path, "rb") as f:
                while chunk := f.read(CHUNK_SIZE):
                    yield chunk
            return
        assert self.file is not None
        if self.start is not None:
            self.file.seek(self.start)
        elif self._sent:
            raise RuntimeError(
                "a file that cannot seek (a pipe) cannot be sent again: pass bytes or a path"
            )
        self._sent = True
        while chunk := self.file.read(CHUNK_SIZE):
            yield chunk


def _guess_type(filename: str | None) -> str:
    if filename:
        import mimetypes  # here: it reads the system's type tables, which most calls never need

        guessed = mimetypes.guess_type(filename)[0]
        if guessed:
            return guessed
    return "application/octet-stream"


def _concrete(media: str) -> str:
    """A media type from the spec, if it names one type (not `image/*` or a list)."""
    return media if media and "*" not in media and "," not in media else ""


def _quote(value: str) -> str:
    # as browsers do (WHATWG): a quote or line break cannot end the parameter early
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _scalar(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


class Multipart:
    """A multipart/form-data body: files as file parts, other fields as the spec's `encoding` says,
    else arrays as repeated `key[]` parts (the client's array format) and objects as `key[sub]`."""

    def __init__(
        self,
        fields: Mapping[str, object],
        encoding: Encoding | None = None,
        files: Sequence[str] = (),
    ) -> None:
        self.fields = fields
        self.encoding = encoding or {}
        self.files = files  # the fields that hold only files (or lists of files)

    def encode(self, array_format: str, extra: Mapping[str, object] | None = None) -> BodyStream:
        fields = {k: v for k, v in self.fields.items() if v is not UNSET}
        parts: list[tuple[bytes, _Source]] = []
        for key, value in {**fields, **(extra or {})}.items():
            if key in self.files and value is not None:
                _check_files(key, value)
            content_type, style, explode = self.encoding.get(key, ("", "", True))
            self._add(parts, key, value, content_type, style, explode, array_format)
        return _MultipartStream(parts)

    def _add(
        self,
        parts: list[tuple[bytes, _Source]],
        key: str,
        value: object,
        content_type: str,
        style: str,
        explode: bool,
        array_format: str,
    ) -> None:
        if value is None or value is UNSET:
            return
        if is_file(value):
            parts.append(_file_part(key, value, content_type))  # type: ignore[arg-type]
            return
        if isinstance(value, (list, tuple)) and any(is_file(v) for v in value):
            for v in value:
                self._add(
                    parts,
                    key + "[]" if array_format == "brackets" else key,
                    v,
                    content_type,
                    "",
                    True,
                    array_format,
                )
            return
        value = encode(value)
        if content_type and (content_type == "application/json" or content_type.endswith("+json")):
            parts.append(
                _part(
                    key,
                    None,
                    content_type,
                    json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(),
                )
            )
            return
        if isinstance(value, (list, tuple)):
            for name, text in _flatten_array(key, value, style, explode, array_format):
                parts.append(_part(name, None, _concrete(content_type), text.encode()))
            return
        if isinstance(value, dict):
            if style or array_format != "brackets":
                parts.append(
                    _part(
                        key,
                        None,
                        "application/json",
                        json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(),
                    )
                )
                return
            for sub, v in value.items():
                self._add(parts, f"{key}[{sub}]", v, "", "", True, array_format)
            return
        parts.append(_part(key, None, _concrete(content_type), _scalar(value).encode()))


def _check_files(key: str, value: object) -> None:
    for item in value if isinstance(value, (list, tuple)) and not is_file(value) else [value]:
        if not is_file(item):
            # raises the TypeError that says what a file may be
            _Source(item, key)  # type: ignore[arg-type]


def _flatten_array(
    key: str, items: Sequence[object], style: str, explode: bool, array_format: str
) -> list[tuple[str, str]]:
    values = [
        _scalar(v) if not isinstance(v, (dict, list)) else json.dumps(v, separators=(",", ":"))
        for v in items
        if v is not None
    ]
    if style:  # the spec's `encoding` decides
        if style == "form" and explode:
            return [(key, v) for v in values]
        return [(key, _DELIMITERS.get(style, ",").join(values))]
    if array_format == "comma":
        return [(key, ",".join(values))]
    return [(key + "[]" if array_format == "brackets" else key, v) for v in values]


def _part(
    name: str, filename: str | None, content_type: str, payload: bytes | _Source
) -> tuple[bytes, _Source]:
    disposition = f'form-data; name="{_quote(name)}"'
    if filename is not None:
        disposition += f'; filename="{_quote(filename)}"'
    head = f"Content-Disposition: {disposition}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode(), payload if isinstance(payload, _Source) else _Source(payload, name)


def _file_part(key: str, value: FileTypes, spec_type: str) -> tuple[bytes, _Source]:
    if isinstance(value, tuple):
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) > 2 else None
        headers: Mapping[str, str] = value[3] if len(value) > 3 else {}
        source = _Source(content, key)
    else:
        source = _Source(value, key)
        filename, content_type, headers = source.name(), None, {}
    filename = filename if filename is not None else "upload"
    head, _ = _part(
        key, filename, content_type or _concrete(spec_type) or _guess_type(filename), b""
    )
    extra = "".join(
        f"{k}: {v}\r\n" for k, v in headers.items() if "\r" not in k + v and "\n" not in k + v
    )
    return head + extra.encode(), source


class _MultipartStream(BodyStream):
    def __init__(self, parts: list[tuple[bytes, _Source]]) -> None:
        self.boundary = secrets.token_hex(16).encode()
        self.parts = parts
        sizes = [s.size for _, s in parts]
        framing = (
            sum(len(self.boundary) + 6 + len(head) + 2 for head, _ in parts)
            + len(self.boundary)
            + 6
        )
        length = None if None in sizes else framing + sum(s or 0 for s in sizes)
        super().__init__(f"multipart/form-data; boundary={self.boundary.decode()}", length)

    def chunks(self) -> Iterator[bytes]:
        for head, source in self.parts:
            yield b"--" + self.boundary + b"\r\n" + head + b"\r\n"
            yield from source.chunks()
            yield b"\r\n"
        yield b"--" + self.boundary + b"--\r\n"


class Urlencoded:
    """An application/x-www-form-urlencoded body, each field by its `encoding` style and explode."""

    def __init__(self, fields: Mapping[str, object], encoding: Encoding | None = None) -> None:
        self.fields = fields
        self.encoding = encoding or {}

    def encode(self, array_format: str, extra: Mapping[str, object] | None = None) -> BodyStream:
        pairs: list[tuple[str, str]] = []
        fields = {k: v for k, v in self.fields.items() if v is not UNSET}
        for key, value in {**fields, **(extra or {})}.items():
            _, style, explode = self.encoding.get(key, ("", "form", True))
            value = encode(value)
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                pairs.extend(_flatten_array(key, value, style or "form", explode, array_format))
            elif isinstance(value, dict):
                pairs.extend(_flatten_object(key, value, style or "form", explode))
            else:
                pairs.append((key, _scalar(value)))
        return _BytesStream(urlencode(pairs).encode(), "application/x-www-form-urlencoded")


def _flatten_object(
    key: str, value: Mapping[str, Any], style: str, explode: bool
) -> list[tuple[str, str]]:
    items = [(str(k), _scalar(v)) for k, v in value.items() if v is not None]
    if style == "deepObject":
        return [(f"{key}[{k}]", v) for k, v in items]
    if explode:  # style form, exploded: the object's own keys (as OpenAPI defines it)
        return items
    return [(key, ",".join(x for pair in items for x in pair))]


class Raw:
    """A whole body: bytes, a file or a path sent as `media`, or a string (encoded as UTF-8)."""

    def __init__(self, content: FileTypes | str | Unset, media: str) -> None:
        self.content = content
        self.media = media

    def encode(
        self, array_format: str, extra: Mapping[str, object] | None = None
    ) -> BodyStream | None:
        if extra:
            raise TypeError(
                "extra_body cannot be merged into a raw (non-JSON, non-form) request body"
            )
        content = self.content
        if isinstance(content, Unset):
            return None
        if isinstance(content, str):
            return _BytesStream(
                content.encode(),
                self.media
                + (
                    "; charset=utf-8"
                    if self.media.startswith("text/") and "charset" not in self.media
                    else ""
                ),
            )
        content_type = None
        if isinstance(content, tuple):
            content_type = content[2] if len(content) > 2 else None
            filename, content = content[0], content[1]
        source = _Source(content, "body")
        if not content_type:
            content_type = _concrete(self.media) or _guess_type(
                filename if isinstance(self.content, tuple) else source.name()
            )
        return _SourceStream(source, content_type)


class _BytesStream(BodyStream):
    def __init__(self, data: bytes, content_type: str) -> None:
        super().__init__(content_type, len(data))
        self.data = data

    def chunks(self) -> Iterator[bytes]:
        yield self.data


class _SourceStream(BodyStream):
    def __init__(self, source: _Source, content_type: str) -> None:
        super().__init__(content_type, source.size)
        self.source = source

    def chunks(self) -> Iterator[bytes]:
        yield from self.source.chunks()
