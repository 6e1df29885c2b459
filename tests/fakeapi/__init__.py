"""In-process fake of OpenAI's Conversations API for tests (see ``server`` for the full API)."""

from .server import ApiError, FakeConversationsServer, Fault, RecordedRequest

__all__ = ["ApiError", "FakeConversationsServer", "Fault", "RecordedRequest"]
