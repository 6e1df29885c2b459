"""The README's table of benchmark results, written from a results dict (results.json): the
ratios it quotes are those of the recorded run, never typed by hand. run.py rewrites the block
after a run that writes benchmarks/RESULTS.md; to write it again from a results file:

    python benchmarks/report_readme.py [RESULTS_JSON]     (default: benchmarks/results.json)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

START, END = "<!-- benchmark-results:start -->", "<!-- benchmark-results:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"
_STATUS = {"PASS": "met", "MISS": "**missed**", "N/A": "not measured"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def readme_block(res: dict) -> str:
    """The block between the markers: where the figures come from, then one row per target."""
    meta = res.get("meta") or {}
    repo = meta.get("repo") or {}
    load = (meta.get("machine") or {}).get("loadavg_start") or []
    commit = (repo.get("commit") or "?") + (" with uncommitted changes" if repo.get("dirty") else "")
    when = f", load average {load[0]:.1f} at its start" if load else ""
    lines = [
        f"Generated from the recorded run ({meta.get('mode', '?')} mode, {meta.get('date', '?')}, commit {commit}"
        f"{when}) by `benchmarks/report_readme.py`; every ratio was measured side by side in that one run. Why each "
        "missed target is missed: the Targets table of [benchmarks/RESULTS.md](benchmarks/RESULTS.md).",
        "",
        "| measure | measured | target | |",
        "|---|---|---|---|",
    ]
    for t in res.get("targets") or []:
        lines.append(f"| {_cell(t['target'])} | {_cell(t['measured'])} | {_cell(t['goal'])} | "
                     f"{_STATUS.get(t['status'], t['status'])} |")
    return "\n".join(lines)


def with_block(text: str, res: dict) -> str:
    """`text` (the README) with its block replaced; ValueError when it has no block."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {START} ... {END} block")
    return text[: start + len(START)] + "\n" + readme_block(res) + "\n" + text[end:]


def update_readme(res: dict, readme: Path = README) -> bool:
    """Rewrite the README's block from `res`; whether the file changed."""
    old = readme.read_text(encoding="utf-8")
    new = with_block(old, res)
    if new != old:
        readme.write_text(new, encoding="utf-8")
    return new != old


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else Path(__file__).resolve().parent / "results.json"
    changed = update_readme(json.loads(source.read_text(encoding="utf-8")))
    print(f"{README}: {'rewritten' if changed else 'already up to date'} from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
