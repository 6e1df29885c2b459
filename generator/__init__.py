"""convgen: OpenAPI 3.1 -> typed, lossless, dataclass-based Python clients."""

__version__ = "0.1.0"
