"""The exceptions a client call can raise. Hand-written; copied into the generated package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import httpx


class APIError(Exception):
    """Base of every error raised by this client.

    `body` is the server's error object (`{"message", "type", "param", "code"}`) when there is one;
    `type`, `param` and `code` are read from it.
    """

    def __init__(
        self, message: str, *, request: httpx.Request | None = None, body: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        fields = body if isinstance(body, dict) else {}
        self.type: str | None = _text(fields.get("type"))
        self.param: str | None = _text(fields.get("param"))
        self.code: str | None = _text(fields.get("code"))


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke before a response."""

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    def __init__(self, *, request: httpx.Request | None = None) -> None:
        super().__init__("Request timed out.", request=request)


class APIResponseValidationError(APIError):
    """The response is not valid JSON or not of the documented shape."""

    def __init__(self, message: str, *, response: httpx.Response, body: Any = None) -> None:
        super().__init__(message, request=response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id: str | None = response.headers.get("x-request-id")


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status.

    `model` is the response decoded into the error model the spec documents for this status
    (or its `4XX`/`default` response), or None when none is documented or the body does not
    fit it; `body` always keeps the data as received.
    """

    status_code: int

    def __init__(
        self, message: str, *, response: httpx.Response, body: Any, model: Any = None
    ) -> None:
        super().__init__(message, request=response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id: str | None = response.headers.get("x-request-id")
        self.model = model


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    pass


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(
    response: httpx.Response,
    body: Any,
    models: Mapping[str, Callable[[Any], Any]] | None = None,
) -> APIStatusError:
    """The exception for an error response, its message taken from the server's error object.

    `body` is the parsed response (or its text); the exception keeps the `error` object inside it.
    `models` are the decoders of the documented error responses, by status key.
    """
    # A server may echo the credential it was sent (a mistyped key, say): it never reaches an exception.
    request = response.request
    secrets = [request.headers.get("authorization", "").partition(" ")[2].strip()]
    secrets += request.extensions.get("convgen.secrets", ())
    for secret in secrets:
        body = _scrub(body, secret)
    error = body.get("error", body) if isinstance(body, dict) else body
    detail = error.get("message", error) if isinstance(error, dict) else error
    message = f"Error code: {response.status_code}"
    if detail not in (None, "", {}):
        message += f" - {detail}"
    cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    return cls(
        message, response=response, body=error, model=_model(models, response.status_code, body)
    )


def _model(models: Mapping[str, Callable[[Any], Any]] | None, status: int, body: Any) -> Any:
    """The body decoded by the most specific documented response (404, then 4XX, then default)."""
    if not models:
        return None
    decode = models.get(str(status)) or models.get(f"{status // 100}XX") or models.get("default")
    if decode is None or body is None:
        return None
    try:
        return decode(body)
    except ValueError:  # DecodeError: the body is not of the documented shape; `body` keeps it
        return None


def _scrub(value: Any, secret: str) -> Any:
    """`value` with `secret` masked in every string it holds."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, dict):
        return {key: _scrub(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secret) for item in value]
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
