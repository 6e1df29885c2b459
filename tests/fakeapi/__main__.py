"""Run the fake Conversations API for trying a generated client by hand:

    python -m tests.fakeapi --port 8080          # from the repository root
    OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=sk-test python my_script.py

It prints its base URL, then serves on 127.0.0.1 until interrupted (Ctrl-C). State lives in
memory: every conversation and item is gone when it stops.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import FakeConversationsServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakeapi", description="A fake of OpenAI's Conversations API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free port; default 8080)")
    parser.add_argument("--api-key", default="sk-test", help="the bearer token it accepts (default sk-test)")
    parser.add_argument("--any-key", action="store_true", help="accept any bearer token")
    parser.add_argument("--seed-conversation", metavar="ID", action="append", default=[],
                        help="start with an empty conversation of this id (repeatable)")
    args = parser.parse_args(argv)
    server = FakeConversationsServer(api_key=None if args.any_key else args.api_key, port=args.port)
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; pick another --port", file=sys.stderr)
        return 2
    for conv_id in args.seed_conversation:
        server.seed_conversation(conversation_id=conv_id)
    print(server.base_url, flush=True)
    # Ctrl-C stops it even when started from a shell that ignores SIGINT for background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
