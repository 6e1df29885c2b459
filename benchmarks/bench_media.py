"""Benchmarks of non-JSON responses (not part of the test run):

    python benchmarks/bench_media.py download [--size-mib 1024]
        peak memory of a download to disk through `with_streaming_response` (sync and async),
        from the fake media server (tests/fakeapi/media.py) over 127.0.0.1, with and without
        Content-Length; each download runs in a fresh interpreter whose peak RSS is reported.
        Goal: a 1 GiB download stays under 100 MiB.

    python benchmarks/bench_media.py sse --sdk-python PY [--deltas 2000] [--rounds 5]
        events decoded per second from one recorded `responses.create(stream=True)` stream:
        convgen's `Stream` with the generated `ResponseStreamEvent` decoder against the official
        SDK's `openai.Stream` (run by PY, an interpreter with `openai` installed, e.g. the
        benchmarks venv). The stream is the spec's own recorded example (x-oaiMeta "Streaming"
        of POST /responses) with its text delta event repeated `--deltas` times, as in a long
        answer; both sides read the same bytes in 4 KiB chunks from memory. Goal: >= 10x.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / ".work"
CHUNK = 4096


# ---- download ---------------------------------------------------------------------------------
_DOWNLOAD_CHILD = r"""
import asyncio, resource, sys, time
sys.path.insert(0, sys.argv[1])
import media
base, ident, target, flavour = sys.argv[2:6]
start = time.perf_counter()
if flavour == "sync":
    with media.Client(base_url=base) as c:
        with c.downloads.with_streaming_response.retrieve(ident) as r, open(target, "wb") as f:
            for chunk in r.iter_bytes(65536):
                f.write(chunk)
else:
    async def main():
        async with media.AsyncClient(base_url=base) as c:
            async with c.downloads.with_streaming_response.retrieve(ident) as r:
                with open(target, "wb") as f:
                    async for chunk in r.iter_bytes(65536):
                        f.write(chunk)
    asyncio.run(main())
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_download(size_mib: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "tests"))
    from fakeapi.media import FakeMediaServer

    size = size_mib * 1024 * 1024
    results = {}
    with FakeMediaServer() as server, tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "download.bin"
        for flavour in ("sync", "async"):
            for ident in (str(size), f"chunked-{size}"):
                out = subprocess.run([sys.executable, "-c", _DOWNLOAD_CHILD, str(_feature_client("media")),
                                      server.base_url, ident, str(target), flavour], capture_output=True, text=True, check=True)
                seconds, rss_kib = out.stdout.split()
                assert target.stat().st_size == size, "incomplete download"
                label = f"{flavour}, {'chunked' if ident.startswith('chunked') else 'Content-Length'}"
                results[label] = {"seconds": round(float(seconds), 2), "peak_rss_mib": round(int(rss_kib) / 1024, 1)}
                print(f"{size_mib} MiB download, {label}: {float(seconds):.2f} s, peak RSS {int(rss_kib) / 1024:.1f} MiB", flush=True)
                target.unlink()
    return results


# ---- server-sent events -----------------------------------------------------------------------
def recorded_stream(deltas: int) -> bytes:
    """The spec's recorded streaming example of responses.create, its text delta repeated.

    The example predates fields its own schema now requires (`sequence_number`, `logprobs`,
    `input_tokens_details`)
    and has `null` where the schema wants a string or object (`user`, `usage`): it is brought
    up to the schema, as
    today's API sends it, so that both clients decode every event as the documented type."""
    import yaml

    spec = yaml.load((ROOT / "spec" / "openai.yaml").read_text(), Loader=yaml.CSafeLoader)
    examples = spec["paths"]["/responses"]["post"]["x-oaiMeta"]["examples"]
    text = next(e["response"] for e in examples if e.get("title") == "Streaming")
    events = []
    for block in (b for b in text.strip().split("\n\n") if "data: " in b):
        event = json.loads(block.split("data: ", 1)[1])
        copies = deltas if event["type"] == "response.output_text.delta" else 1
        for i in range(copies):
            events.append({**event, "delta": f" word{i}"} if copies > 1 else event)
    out = []
    for number, event in enumerate(events):
        event = {**event, "sequence_number": number}
        if event["type"] in ("response.output_text.delta", "response.output_text.done"):
            event.setdefault("logprobs", [])
        response = event.get("response")
        if isinstance(response, dict):
            event["response"] = response = {k: v for k, v in response.items() if not (k in ("user", "usage") and v is None)}
            if isinstance(response.get("usage"), dict):
                response["usage"] = {"input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, **response["usage"]}
        items = [event.get("item") or {}, *(response.get("output") or [] if isinstance(response, dict) else [])]
        for holder in (event.get("part"), *(part for item in items for part in item.get("content") or [])):
            if isinstance(holder, dict) and holder.get("type") == "output_text":
                holder.setdefault("logprobs", [])
        out.append(f"event: {event['type']}\ndata: " + json.dumps(event, separators=(",", ":")))
    return ("\n\n".join(out) + "\n\n").encode()


def generated_responses_client(convgen: list[str] | None = None, work: Path = WORK,
                               env: dict[str, str] | None = None) -> Path:
    """`convgen build spec/openai.yaml --tag Responses` into WORK: once (standalone), or every time
    when `convgen` (a command) is given, as run.py does, so that the client is this convgen's."""
    out = work / "openai_responses"
    if convgen is not None or not (out / "openai_responses" / "__init__.py").exists():
        subprocess.run([*(convgen or [sys.executable, "-m", "convgen"]), "build", str(ROOT / "spec" / "openai.yaml"),
                        "--no-config", "-q", "--tag", "Responses", "--package", "openai_responses", "-o", str(out)],
                       check=True, env=env)
    return out


_SSE_CHILD = r"""
import json, sys, time
import httpx
side, package_dir, stream_file, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = open(stream_file, "rb").read()
chunks = [data[i:i + 4096] for i in range(0, len(data), 4096)]
request = httpx.Request("POST", "http://127.0.0.1/v1/responses")
if side == "convgen":
    sys.path.insert(0, package_dir)
    from openai_responses._runtime.sse import Stream
    from openai_responses import types as t
    decode = t.response_stream_event_from_dict
    def make(response):
        return Stream(response, decode)
else:
    import openai
    from openai.types.responses import ResponseStreamEvent
    client = openai.OpenAI(api_key="x", base_url="http://127.0.0.1/v1")
    def make(response):
        return openai.Stream(cast_to=ResponseStreamEvent, response=response, client=client)
best = None
for _ in range(rounds):
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks), request=request)
    start = time.perf_counter()
    events = list(make(response))
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
kinds = sorted({type(e).__name__ for e in events})
print(json.dumps({"events": len(events), "seconds": best, "per_second": len(events) / best, "kinds": kinds}))
"""


def bench_sse(sdk_python: str, deltas: int, rounds: int, python: str | None = None, convgen: list[str] | None = None,
              work: Path = WORK, env: dict[str, str] | None = None) -> dict[str, object]:
    """Both sides in `python` (default: this interpreter for ours, `sdk_python` for the SDK); with
    `convgen`, the Responses client is built by that command into `work` first."""
    package = generated_responses_client(convgen, work, env)
    data = recorded_stream(deltas)
    results: dict[str, object] = {"bytes": len(data)}
    with tempfile.NamedTemporaryFile(suffix=".sse") as f:
        f.write(data)
        f.flush()
        for side, python in (("convgen", python or sys.executable), ("openai", sdk_python)):
            out = subprocess.run([python, "-c", _SSE_CHILD, side, str(package), f.name, str(rounds)],
                                 capture_output=True, text=True, check=False)
            if out.returncode:
                raise SystemExit(f"{side} failed:\n{out.stderr[-3000:]}")
            results[side] = json.loads(out.stdout)
            r = results[side]
            print(f"{side}: {r['events']} events in {r['seconds'] * 1000:.1f} ms, {r['per_second']:,.0f} events/s ({', '.join(r['kinds'][:4])}...)")
    ratio = results["convgen"]["per_second"] / results["openai"]["per_second"]  # type: ignore[index]
    results["ratio"] = round(ratio, 1)
    print(f"convgen / SDK: {ratio:.1f}x the events per second (goal >= 10x)")
    return results

def _feature_client(name: str, folder: Path | None = None) -> Path:
    """The feature golden `name` with its runtime put back (goldens keep no `_runtime/`)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from goldens import assemble

    return assemble(name, folder if folder is not None else Path(tempfile.mkdtemp(prefix="convgen-bench-")))



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    down = sub.add_parser("download")
    down.add_argument("--size-mib", type=int, default=1024)
    sse = sub.add_parser("sse")
    sse.add_argument("--sdk-python", default=str(Path(__file__).resolve().parent / ".venv" / "bin" / "python"))
    sse.add_argument("--deltas", type=int, default=2000)
    sse.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("NO_COLOR", "1")
    if args.what == "download":
        print(json.dumps(bench_download(args.size_mib)))
    else:
        print(json.dumps(bench_sse(args.sdk_python, args.deltas, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
