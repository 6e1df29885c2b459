"""Locating diagnostics in a big spec: the time must grow with their number, not with their
number times the file's size (issue 15: 400 diagnostics in a 3 MB JSON spec in <= 0.2 s).

    python benchmarks/bench_locate.py            # JSON made from the OpenAI spec, and the YAML itself
    python benchmarks/bench_locate.py SPEC [N]   # N pointers (default 400) of another spec

Pointers are drawn (seeded) from every key and item of the document, the way diagnostics
point anywhere; one Locator serves them all, as in a build. CPU time is reported: on a
shared machine wall time mostly measures the neighbours.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from convgen.locate import Locator

ROOT = Path(__file__).resolve().parent.parent


def _pointers(doc: Any, prefix: str = "") -> list[str]:
    out: list[str] = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for key, value in items:
        ptr = f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"
        out.append(ptr)
        out.extend(_pointers(value, ptr))
    return out


def measure(name: str, text: str, doc: Any, is_json: bool, count: int) -> float:
    pointers = random.Random(15).sample(_pointers(doc), count)
    start = time.process_time()
    locator = Locator(text, is_json=is_json)
    found = [locator.locate(p) for p in pointers]
    seconds = time.process_time() - start
    spread = len(set(found))
    print(f"{name}: {len(text) / 1e6:.1f} MB, {count} pointers located in {seconds:.3f} s CPU ({spread} places)")
    return seconds


def main(argv: list[str]) -> int:
    count = int(argv[1]) if len(argv) > 1 else 400
    if argv:
        path = Path(argv[0])
        text = path.read_text(encoding="utf-8")
        is_json = path.suffix.lower() == ".json"
        doc = json.loads(text) if is_json else yaml.load(text, Loader=yaml.CSafeLoader)
        measure(path.name, text, doc, is_json, count)
        return 0
    spec = ROOT / "spec" / "openai.yaml"
    text = spec.read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=yaml.CSafeLoader)
    as_json = json.dumps(doc, indent=1, default=str)  # pretty-printed, as published JSON specs are
    worst = measure("openai.json (made from the YAML)", as_json, json.loads(as_json), True, count)
    measure("openai.yaml", text, doc, False, count)
    print(f"target: 400 diagnostics in a 3 MB JSON spec <= 0.2 s: {'met' if worst <= 0.2 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
