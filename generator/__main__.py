import gc
import sys

try:
    from .cli import exit_now, main

    gc.disable()  # (see cli.command: what the run makes lives to its end)
    code = main()
except KeyboardInterrupt:  # before main() had its own handler: still no traceback
    print("convgen: interrupted", file=sys.stderr)
    raise SystemExit(130) from None
exit_now(code)  # (see cli.command: no teardown of what the run made)
