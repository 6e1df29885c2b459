"""Client benchmarks: import cost, time to first response, sequential request rate.

Implementations ("impls"):
  ours   - the generated package:  openai_conversations.Client(api_key=, base_url=)
  sdk    - the official SDK:       openai.OpenAI(api_key=, base_url=)
  httpx  - bare httpx.Client().get(...) with the same auth/accept headers (the floor)
  httpx2 - bare httpx2 (the HTTP library the SDK itself uses), for reference

Import and first-response figures are whole-process wall times of fresh
interpreters (plus the in-process time the child reports), measured from the
parent with common.run_measured, which also gives each child's peak RSS.
The request rate runs in a worker process per impl and round (this file run as
a script), against local_server.py running in yet another process.

Run as a worker:  python bench_client.py rps --impl ours --url URL ...
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import PACKAGE, rotate, run_measured, stats

API_KEY = "k"
CONV_ID = "conv_1"

IMPORT_CODE = {
    "python -c pass (interpreter floor)": "pass",
    "ours": f"import {PACKAGE}",
    "sdk": "from openai import OpenAI",
}

# Each prints the seconds spent inside the snippet (import + construct + first call).
_TTFR_TEMPLATE = (
    "import time; t0 = time.perf_counter()\n"
    "{body}\n"
    "assert getattr(r, 'id', None) == {conv!r}, r\n"
    "print('BENCH_INPROC', time.perf_counter() - t0)\n"
)
TTFR_BODY = {
    "ours": f"import {PACKAGE} as m\nc = m.Client(api_key={API_KEY!r}, base_url=URL)\n"
            f"r = c.conversations.retrieve({CONV_ID!r})",
    "sdk": f"import openai\nc = openai.OpenAI(api_key={API_KEY!r}, base_url=URL)\n"
           f"r = c.conversations.retrieve({CONV_ID!r})",
}


def ttfr_code(impl: str, url: str) -> str:
    return f"URL = {url!r}\n" + _TTFR_TEMPLATE.format(body=TTFR_BODY[impl], conv=CONV_ID)


def _inproc(text: str) -> float | None:
    for line in text.splitlines():
        if line.startswith("BENCH_INPROC "):
            return float(line.split()[1])
    return None


def _summarize(samples: dict[str, list], log: Callable[[str], None], what: str) -> dict:
    out = {}
    for name, rs in samples.items():
        ok = [r for r in rs if r.ok]
        bad = [r for r in rs if not r.ok]
        out[name] = {"wall_s": stats([r.wall_s for r in ok]), "maxrss_mib": stats([r.maxrss_kib / 1024 for r in ok]),
                     "inproc_s": stats([_inproc(r.stdout) for r in ok]),
                     "failures": len(bad), "first_error": bad[0].first_error if bad else None}
        med = out[name]["wall_s"]["median"] if out[name]["wall_s"] else float("nan")
        log(f"  {what} {name}: median {med * 1000:.1f} ms, failures {len(bad)}"
            + (f" ({bad[0].first_error})" if bad else ""))
    return out


def bench_import(python: str, env: dict, impls: list[str], samples: int, log) -> dict:
    """Whole-process `python -c "import ..."`; warm (bytecode cached) after one unmeasured run each."""
    names = ["python -c pass (interpreter floor)", *impls]
    for n in names:
        run_measured([python, "-c", IMPORT_CODE[n]], env=env)  # warm-up: writes __pycache__
    runs: dict[str, list] = {n: [] for n in names}
    for i in range(samples):
        for n in rotate(names, i):
            runs[n].append(run_measured([python, "-c", IMPORT_CODE[n]], env=env))
    return _summarize(runs, log, "import")


def bench_ttfr(python: str, env: dict, impls: list[str], url: str, samples: int, log,
               own: dict[str, str] | None = None) -> dict:
    """Fresh process: import, construct the client, one conversations.retrieve(). With `own` (impl ->
    the python of its own virtualenv, env_setup.own_venvs) the rows named by impl run there, and
    each impl once more in the shared venv (`python`), for comparison."""
    own = {n: own[n] for n in impls} if own and all(n in own for n in impls) else {}
    where = {n: (own.get(n, python), n) for n in impls}
    if own:
        where |= {f"{n}, shared bench venv": (python, n) for n in impls}
    for py, n in where.values():
        run_measured([py, "-c", ttfr_code(n, url)], env=env)  # warm-up
    runs: dict[str, list] = {label: [] for label in where}
    for i in range(samples):
        for label in rotate(list(where), i):
            py, n = where[label]
            runs[label].append(run_measured([py, "-c", ttfr_code(n, url)], env=env))
    return _summarize(runs, log, "first response")


def bench_rps(python: str, env: dict, impls: list[str], url: str, rounds: int, warmup: int, calls: int,
              batches: int, log) -> dict:
    """Sequential retrieve() calls per second. Each round is one worker process holding every impl's
    client, which times their batches in turn (the order rotating from batch to batch), so that the
    ratios compare calls made within a second of each other: the shared machine's load moves all
    sides alike instead of whichever process it hit."""
    rates: dict[str, list[float]] = {n: [] for n in impls}
    errors: dict[str, str] = {}
    me = str(Path(__file__).resolve())
    for r in range(rounds):
        live = [n for n in rotate(impls, r) if n not in errors]
        for n in live if r == 0 else []:  # an impl that cannot make its first call is reported; the others go on
            res = run_measured([python, me, "rps", "--impl", n, "--url", url, "--warmup", "1", "--calls", "1",
                                "--batches", "1"], env=env, timeout=300)
            if not res.ok or _json_line(res.stdout) is None:
                errors[n] = res.first_error or "no result"
                log(f"  rps {n}: FAILED rc={res.rc}: {errors[n]}")
        live = [n for n in live if n not in errors]
        if not live:
            break
        res = run_measured([python, me, "rps", "--impl", ",".join(live), "--url", url, "--warmup", str(warmup),
                            "--calls", str(calls), "--batches", str(batches)], env=env, timeout=600)
        got = _json_line(res.stdout)
        if not res.ok or got is None:
            for n in live:
                errors[n] = res.first_error or "no result"
            log(f"  rps round {r + 1}: FAILED rc={res.rc}: {res.first_error}")
            continue
        for n in live:
            rates[n].extend(got["rates"][n])
        log(f"  [rps round {r + 1}/{rounds}] " + ", ".join(f"{n} {max(got['rates'][n]):.0f}" for n in live)
            + " req/s best batch")
    return {n: {"rate_per_s": stats(rates[n]), "first_error": errors.get(n)} for n in impls}


def _json_line(text: str) -> dict | None:
    for line in reversed(text.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    return None


# ---------------------------------------------------------------- worker side

def _make_call(impl: str, url: str) -> Callable[[], object]:
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    target = f"{url}/conversations/{CONV_ID}"
    if impl == "ours":
        import importlib
        client = importlib.import_module(PACKAGE).Client(api_key=API_KEY, base_url=url)
        return lambda: client.conversations.retrieve(CONV_ID)
    if impl == "sdk":
        import openai
        client = openai.OpenAI(api_key=API_KEY, base_url=url)
        return lambda: client.conversations.retrieve(CONV_ID)
    if impl in ("httpx", "httpx2"):
        import importlib
        lib = importlib.import_module(impl)
        client = lib.Client(headers=headers)
        return lambda: client.get(target)
    raise SystemExit(f"unknown impl {impl}")


def worker_rps(args: argparse.Namespace) -> None:
    impls = args.impl.split(",")
    calls = {n: _make_call(n, args.url) for n in impls}
    for n, call in calls.items():
        first = call()
        if n in ("ours", "sdk"):
            assert getattr(first, "id", None) == CONV_ID, first
        else:
            assert first.status_code == 200, first.status_code
        for _ in range(args.warmup):
            call()
    rates: dict[str, list[float]] = {n: [] for n in impls}
    for b in range(args.batches):
        for n in impls[b % len(impls):] + impls[:b % len(impls)]:
            call = calls[n]
            t0 = time.perf_counter()
            for _ in range(args.calls):
                call()
            rates[n].append(args.calls / (time.perf_counter() - t0))
    print("BENCH_JSON " + json.dumps({"rates": rates}), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("rps")
    p.add_argument("--impl", required=True, help="one impl or several, comma-separated")
    p.add_argument("--url", required=True)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--calls", type=int, default=500)
    p.add_argument("--batches", type=int, default=3)
    args = ap.parse_args(argv)
    worker_rps(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
