"""Decode/encode benchmark: a 100-item ConversationItemList dict <-> typed objects.

  ours decode : openai_conversations.types.ConversationItemList.from_dict(payload)
  ours encode : obj.to_dict()
  sdk decode  : openai._models.construct_type(type_=ConversationItemList, value=payload)
                (what the SDK does with every response body)
  sdk encode  : obj.to_dict(mode="json")  (= model_dump(mode="json", by_alias=True, exclude_unset=True))
  sdk validate: ConversationItemList.model_validate(payload), for reference (pydantic-core)

Timing is timeit-style: the loop count is calibrated so one repeat lasts
about --min-time seconds; the figure is seconds per call, median over repeats
(impls alternate between repeats).  The payload is shared, not copied per
iteration: before timing, the worker checks that no decoder mutates its input
(decode a deep copy, compare with a pristine copy) and records the result; if
one does, that impl gets a fresh deep copy per call and the copy time is
measured separately and subtracted.

The worker runs in the benchmark venv with the generated package on
PYTHONPATH:  python bench_decode.py --payload FILE [--impls ours,sdk] ...
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import PACKAGE, rotate, run_measured, stats


def _impls(names: list[str]) -> dict[str, tuple[Callable, Callable]]:
    """name -> (decode(payload) -> obj, encode(obj) -> dict)"""
    out = {}
    if "ours" in names:
        import importlib
        ours = importlib.import_module(f"{PACKAGE}.types").ConversationItemList
        out["ours"] = (ours.from_dict, lambda o: o.to_dict())
    if "sdk" in names:
        from openai._models import construct_type
        from openai.types.conversations import ConversationItemList as SdkList
        out["sdk"] = (lambda p: construct_type(type_=SdkList, value=p),
                      lambda o: o.to_dict(mode="json", warnings=False))
    if "sdk-validate" in names:
        from openai.types.conversations import ConversationItemList as SdkList
        out["sdk-validate"] = (SdkList.model_validate, lambda o: o.to_dict(mode="json", warnings=False))
    return out


# ---- the realistic mix: three pages of a conversation, as real traffic carries them ----------
MIX = ("logprobs", "mixed", "long_strings")


def _token_logprob(i: int, j: int, tops: int) -> dict:
    word = ("Lis", "bon", " is", " mild", " in", " March", ":", " expect", " 17", " °C", " highs")[(i + j) % 11]
    def entry(k: int) -> dict:
        token = word if k == 0 else word[::-1] + str(k)
        return {"token": token, "logprob": round(-0.0012 - k * 1.37 - j * 0.01, 4), "bytes": list(token.encode())}
    return {**entry(0), "top_logprobs": [entry(k) for k in range(tops)]}


def mix_payloads(variants: list[dict], out_dir: Path) -> dict[str, Path]:
    """Deterministic ConversationItemList pages of 100 items (written to `out_dir`):

    logprobs     assistant messages whose output_text carries logprobs: 20 tokens each, 3 top_logprobs per
                 token, each with its UTF-8 `bytes` (list[int]) and `logprob` (float) -- the shape of a
                 conversation fetched with `include=["message.output_text.logprobs"]`
    mixed        the 28 ConversationItem kinds in turn (nested unions: annotations, actions, outputs, tools)
    long_strings messages, reasoning, function outputs and shell output with 4-24 KB strings
    """
    message = next(v for v in variants if v["type"] == "message")
    out: dict[str, Path] = {}
    pages: dict[str, list[dict]] = {"logprobs": [], "mixed": [], "long_strings": []}
    for i in range(100):
        text = "".join(("Lis", "bon", " is", " mild")[(i + j) % 4] for j in range(20))
        part = {**message["content"][0], "text": text, "logprobs": [_token_logprob(i, j, 3) for j in range(20)]}
        pages["logprobs"].append({**message, "id": f"msg_{i:04d}", "content": [part]})
        pages["mixed"].append({**variants[i % len(variants)], "id": f"{variants[i % len(variants)]['id']}_{i}"})
        base = variants[(i * 7) % len(variants)]
        long = ("Lisbon in March: mild, 17 °C highs, showers. " * (100 + 25 * (i % 20)))[: 4096 + 1024 * (i % 21)]
        kind = i % 4
        if kind == 0:
            item = {**message, "id": f"msg_{i}", "content": [{**message["content"][0], "text": long, "logprobs": []}]}
        elif kind == 1:
            item = next(v for v in variants if v["type"] == "reasoning")
            item = {**item, "id": f"rs_{i}", "summary": [{"type": "summary_text", "text": long}],
                    "encrypted_content": long}
        elif kind == 2:
            item = {**next(v for v in variants if v["type"] == "function_call_output"), "id": f"fco_{i}",
                    "output": json.dumps({"report": long})}
        else:
            item = {**base, "id": f"{base['id']}_{i}"}
        pages["long_strings"].append(item)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, items in pages.items():
        path = out_dir / f"conversation_item_list_{name}.json"
        path.write_text(json.dumps({"object": "list", "data": items, "first_id": items[0]["id"],
                                    "last_id": items[-1]["id"], "has_more": True}))
        out[name] = path
    return out


def _loops_for(fn: Callable[[], object], min_time: float) -> int:
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 >= min_time / 5 or n >= 1 << 20:
            return max(1, int(n * min_time / max(time.perf_counter() - t0, 1e-9)))
        n *= 2


def _per_call(fn: Callable[[], object], loops: int) -> float:
    t0 = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - t0) / loops


def worker(args: argparse.Namespace) -> dict:
    payload = json.loads(Path(args.payload).read_text())
    pristine = copy.deepcopy(payload)
    impls = _impls(args.impls.split(","))
    result: dict = {"items": len(payload.get("data", [])),
                    "item_types": len({i.get("type") for i in payload.get("data", []) if isinstance(i, dict)})}
    fns: dict[str, Callable[[], object]] = {}
    for name, (decode, encode) in impls.items():
        info: dict = {}
        try:
            trial = copy.deepcopy(payload)
            obj = decode(trial)
            info["mutates_input"] = trial != pristine
            enc = encode(obj)
            info["roundtrip_equal"] = enc == pristine
            if not info["roundtrip_equal"] and isinstance(enc, dict):
                info["roundtrip_note"] = _first_difference(pristine, enc)
        except Exception as exc:  # noqa: BLE001 - a failing decoder is a result, not a crash
            info["error"] = f"{type(exc).__name__}: {exc}"[:300]
            result[name] = info
            continue
        if info["mutates_input"]:
            fns[f"{name} decode"] = lambda d=decode: d(copy.deepcopy(payload))
            fns["deepcopy (subtracted)"] = lambda: copy.deepcopy(payload)
        else:
            fns[f"{name} decode"] = lambda d=decode: d(payload)
        fns[f"{name} encode"] = lambda e=encode, o=obj: e(o)
        result[name] = info
    loops = {k: _loops_for(f, args.min_time) for k, f in fns.items()}
    times: dict[str, list[float]] = {k: [] for k in fns}
    keys = list(fns)
    for r in range(args.repeats):
        for k in rotate(keys, r):
            times[k].append(_per_call(fns[k], loops[k]))
    copy_cost = statistics.median(times["deepcopy (subtracted)"]) if "deepcopy (subtracted)" in times else 0.0
    for name, info in result.items():
        if not isinstance(info, dict) or "error" in info:
            continue
        sub = copy_cost if info["mutates_input"] else 0.0
        info["decode_s"] = [t - sub for t in times[f"{name} decode"]]
        info["encode_s"] = times[f"{name} encode"]
        info["loops"] = {"decode": loops[f"{name} decode"], "encode": loops[f"{name} encode"]}
    return result


def _first_difference(a, b, path="$") -> str:
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return f"{path}.{k}: missing on {'encoded' if k in a else 'input'} side"
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], f"{path}.{k}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {a!r:.60} vs {b!r:.60}"


def bench_decode(python: str, env: dict, payload: Path, impls: list[str], rounds: int, repeats: int,
                 min_time: float, log) -> dict:
    """One worker process per round; per-call times pooled over all repeats of all rounds."""
    me = str(Path(__file__).resolve())
    pooled: dict[str, dict] = {}
    meta: dict = {}
    for r in range(rounds):
        res = run_measured([python, me, "--payload", str(payload), "--impls", ",".join(rotate(impls, r)),
                            "--repeats", str(repeats), "--min-time", str(min_time)], env=env, timeout=600)
        line = next((ln for ln in reversed(res.stdout.splitlines()) if ln.startswith("BENCH_JSON ")), None)
        if not res.ok or line is None:
            return {"error": f"worker failed rc={res.rc}: {res.first_error}"}
        got = json.loads(line[len("BENCH_JSON "):])
        meta = {"items": got.pop("items"), "item_types": got.pop("item_types")}
        for name, info in got.items():
            p = pooled.setdefault(name, {"decode_s": [], "encode_s": []})
            for k in ("decode_s", "encode_s"):
                p[k].extend(info.pop(k, []))
            p.update(info)
    out = {"payload": str(payload), **meta}
    for name, p in pooled.items():
        p["decode_s"], p["encode_s"] = stats(p["decode_s"]), stats(p["encode_s"])
        out[name] = p
        if p["decode_s"]:
            log(f"  decode {name}: {p['decode_s']['median'] * 1e6:.0f} us/payload, "
                f"encode {p['encode_s']['median'] * 1e6:.0f} us; mutates input: {p['mutates_input']}, "
                f"round-trip equal: {p['roundtrip_equal']}")
        else:
            log(f"  decode {name}: {p.get('error')}")
    return out


def bench_mix(python: str, env: dict, variants: Path, work: Path, impls: list[str], rounds: int, repeats: int,
              min_time: float, log) -> dict:
    """`bench_decode` on each page of the realistic mix (`mix_payloads`), side by side; plus the
    whole mix: the sum of each impl's median times over the pages (one of each, as traffic mixes them)."""
    pages = mix_payloads(json.loads(variants.read_text()), work / "decode_mix")
    out: dict = {"pages": {}}
    for name, path in pages.items():
        log(f"decode mix: {name} ({path.stat().st_size // 1024} KiB)")
        out["pages"][name] = bench_decode(python, env, path, impls, rounds, repeats, min_time, log)
    total: dict = {}
    for name in impls:
        rows = [page.get(name) or {} for page in out["pages"].values()]
        if all(row.get("decode_s") for row in rows):
            total[name] = {k: sum(row[k]["median"] for row in rows) for k in ("decode_s", "encode_s")}
    out["total"] = total
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payload", required=True)
    ap.add_argument("--impls", default="ours,sdk")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.2)
    args = ap.parse_args(argv)
    print("BENCH_JSON " + json.dumps(worker(args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
