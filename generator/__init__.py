"""convgen: OpenAPI 3.1 -> typed, lossless, dataclass-based Python clients."""

import time

__version__ = "0.1.0"
STARTED = time.perf_counter()  # when convgen's own code began to load: `-v` counts its start-up from here
