"""The golden outputs: what `convgen build` must reproduce byte for byte.

Regenerate them all, after a deliberate change to generator/ or templates/, with

    python tests/goldens.py

and review the diff before committing. Never edit the outputs by hand.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "tests" / "features"


def cases() -> dict[str, list[str]]:
    """name -> convgen arguments (after the command) that build it."""
    out = {"openai_conversations": []}  # the committed client: everything from [tool.convgen]
    for spec in sorted(FEATURES.glob("*.yaml")):
        name = spec.stem
        out[name] = [str(spec.relative_to(ROOT)), "--no-config", "--package", name,
                     "-o", str((FEATURES / "expected" / name).relative_to(ROOT))]
    return out


def main() -> int:
    failed = 0
    for name, args in cases().items():
        result = subprocess.run([sys.executable, "-m", "convgen", "build", "-q", *args], cwd=ROOT)
        print(f"{name}: {'ok' if result.returncode == 0 else f'FAILED ({result.returncode})'}")
        failed |= result.returncode
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
