import sys

try:
    from .cli import main

    code = main()
except KeyboardInterrupt:  # before main() had its own handler: still no traceback
    print("convgen: interrupted", file=sys.stderr)
    code = 130
raise SystemExit(code)
