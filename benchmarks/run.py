#!/usr/bin/env python3
"""convgen benchmark suite: convgen and its generated client vs peers and the official SDK.

    python benchmarks/run.py [--quick] [--rounds N]

Creates benchmarks/.venv (peers at pinned versions, convgen installed from the
repo, non-editable), extracts the Conversations section with `convgen select`
into benchmarks/.work/, measures, and writes benchmarks/RESULTS.md and
benchmarks/results.json.  Not part of the test run; tests/test_benchmarks_smoke.py
exercises it with --smoke (no venv, no peers, tiny counts, temp output dir).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_build
import bench_media
import bench_scale
import bench_client
import bench_decode
import env_setup
import report
import report_readme
import report_scale
from common import BENCH_DIR, REPO, child_env, dump_json, gnu_time_available
from local_server import running_server

DEFAULT_PAYLOAD = REPO / "tests" / "fixtures" / "conversation_item_list_100.json"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 round, small counts, no full-spec peers (about five minutes)")
    ap.add_argument("--smoke", action="store_true",
                    help="no venv, no peers, no SDK: convgen via `python -m convgen` in this interpreter; "
                         "tiny counts; output to a temp dir unless --out-dir")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per measurement (default 5; --quick: 1)")
    ap.add_argument("--full-peer-rounds", type=int, default=None,
                    help="rounds for peers on the full spec (default min(rounds, 2); --quick: 0)")
    ap.add_argument("--spec", type=Path, default=REPO / "spec" / "openai.yaml")
    ap.add_argument("--section", type=Path, default=None,
                    help="use this section file instead of running `convgen select`")
    ap.add_argument("--payload", type=Path, default=DEFAULT_PAYLOAD, help="100-item ConversationItemList JSON")
    ap.add_argument("--convgen-src", type=Path, default=REPO, help="project to pip-install as convgen")
    ap.add_argument("--venv", type=Path, default=BENCH_DIR / ".venv")
    ap.add_argument("--no-install", action="store_true",
                    help="use --venv as it is (peers, SDK, mypy), installing nothing into it; convgen then runs as "
                         "`python -m convgen` in the interpreter running this script, which must have it")
    ap.add_argument("--work-dir", type=Path, default=None, help="default benchmarks/.work (smoke: OUT/work)")
    ap.add_argument("--out-dir", type=Path, default=None, help="where RESULTS.md/results.json go")
    args = ap.parse_args(argv)
    if args.smoke:
        args.quick = True
    if args.rounds is None:
        args.rounds = 1 if args.quick else 5
    if args.full_peer_rounds is None:
        args.full_peer_rounds = 0 if (args.quick or args.smoke) else min(args.rounds, 2)
    if args.out_dir is None:
        args.out_dir = Path(tempfile.mkdtemp(prefix="convgen-bench-")) if args.smoke else BENCH_DIR
    if args.work_dir is None:
        args.work_dir = args.out_dir / "work" if args.smoke else BENCH_DIR / ".work"
    return args


def counts(args: argparse.Namespace) -> dict:
    r = args.rounds
    if args.smoke:
        return {"samples": 1, "rps_warmup": 5, "rps_calls": 20, "rps_batches": 1, "dec_repeats": 1, "dec_min_time": 0.01}
    if args.quick:
        return {"samples": max(2, r), "rps_warmup": 50, "rps_calls": 200, "rps_batches": 6, "dec_repeats": 2,
                "dec_min_time": 0.2}  # shorter, the SDK's 100 ms decodes were timed once, with or without a GC pass
    return {"samples": 2 * r, "rps_warmup": 200, "rps_calls": 500, "rps_batches": 10, "dec_repeats": 3, "dec_min_time": 0.2}


def repo_state() -> dict:
    """Commit and dirtiness of the repo (read-only git queries)."""
    def git(*a: str) -> str | None:
        r = subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True, check=False)
        return r.stdout.strip() if r.returncode == 0 else None
    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(status) if status is not None else None}


def run_scale(args: argparse.Namespace, tools: bench_build.Tools, python: str, spec: Path, work: Path,
              caches: bench_build.CacheDirs, n: dict, res: dict, log, own: dict[str, str]) -> None:
    """Whole real specs against openapi-python-client, warm regeneration, locating diagnostics,
    the whole-API client's import and type-checking cost, SSE decoding (bench_scale.py)."""
    skipped = res["skipped"]
    if args.smoke:  # the code paths on a small spec, in seconds
        small = REPO / "tests" / "corpus" / "petstore.yaml"
        specs = [bench_scale.WholeSpec("petstore (smoke)", small, small, "petstore")]
        res["whole_build"] = bench_scale.bench_whole_builds(tools, specs, caches, work, 1, log)
        res["locate"] = bench_scale.bench_locate(tools, small, work, 1, log, count=20)
        for key in ("warm_change", "whole_client", "sse"):
            skipped[key] = "not run with --smoke"
        return
    rounds = 2  # also in quick mode: one sample of a peer's 15 s build moves by a third between runs
    log(f"whole-spec builds: {rounds} round(s)")
    specs = bench_scale.prepare_specs(tools, spec, work, log)
    res["whole_build"] = bench_scale.bench_whole_builds(tools, specs, caches, work, rounds, log)
    log("one schema changed, warm")
    # a one-second build on a shared 2-core machine moves by a third from one run to the next: the
    # median of at least five (each is one cheap rebuild)
    res["warm_change"] = bench_scale.bench_warm_change(tools, spec, work, max(5, n["samples"]), log)
    log("locating 400 diagnostics")
    res["locate"] = bench_scale.bench_locate(tools, spec, work, max(2, n["samples"] // 2), log)
    log("the whole-API client: import and mypy")
    built = bench_scale.build_whole_client(tools, spec, work, caches)
    typecheck = dict(own)
    if built is not None and "ours" in typecheck:
        failed = env_setup.install_client(typecheck["ours"], built, res["meta"]["pins"], log)
        if failed:
            res["meta"]["notes"].append(f"installing the whole-API client for the type-checking measure failed: {failed}")
            del typecheck["ours"]
    res["whole_client"] = bench_scale.bench_whole_client(python, child_env(), built, work, n["samples"],
                                                         3 if args.quick else 5, log, typecheck)
    log("server-sent events")
    try:
        res["sse"] = bench_media.bench_sse(python, 1000 if args.quick else 2000, 3 if args.quick else 5, python=python,
                                           convgen=tools.convgen, work=work, env=tools.env)
    except (Exception, SystemExit) as exc:  # a failing side is a result, not a crash of the suite
        res["sse"] = {"error": str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t_start = time.perf_counter()
    for name in ("spec", "section", "payload", "convgen_src", "venv", "work_dir", "out_dir"):
        if getattr(args, name) is not None:
            setattr(args, name, getattr(args, name).resolve())
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    # Every child runs in the work dir: the repo root on sys.path (`python -c`
    # puts the cwd first) would shadow installed packages with repo files.
    os.chdir(work)
    (work / "logs").mkdir(exist_ok=True)
    n = counts(args)
    notes: list[str] = []
    skipped: dict[str, str] = {}
    res: dict = {"skipped": skipped}

    # ---------------------------------------------------------- environment
    own: dict[str, str] = {}
    if args.smoke:
        python = sys.executable
        tools = bench_build.Tools(convgen=[python, "-m", "convgen"], env=child_env())
        setup = {"pins": {}, "substitutions": {}}
        notes.append("--smoke: convgen and the generated client only; no peers, no official SDK")
    else:
        if args.no_install:
            setup = env_setup.existing_venv(args.venv.resolve())
            notes.append(f"--no-install: convgen ran as `python -m convgen` in {sys.executable}; peers and the SDK "
                         f"from {args.venv}")
        else:
            setup = env_setup.ensure_venv(args.venv.resolve(), args.convgen_src.resolve(), log)
        python = setup["python"]
        # each client's own virtualenv (env_setup.own_venvs): the first-response and type-checking measures
        own = env_setup.own_venvs(args.venv.resolve(), setup["pins"], log, install=not args.no_install)
        vbin = Path(python).parent
        convgen = [sys.executable, "-m", "convgen"] if args.no_install else [str(vbin / "convgen")]
        # PATH starts with the venv's bin/ so openapi-python-client finds its ruff post-hooks.
        tools = bench_build.Tools(convgen=convgen, env=child_env(path_prefix=vbin), peers_bin=vbin)
        if not setup["convgen_install"]["ok"]:
            notes.append(f"convgen install failed: {setup['convgen_install']['error']}")
    if not gnu_time_available():
        notes.append("GNU time (/usr/bin/time) not found: peak RSS comes from wait4 and includes the "
                     "orchestrator's own RSS as a floor")
    machine = env_setup.machine_info(python)
    versions = env_setup.package_versions(python)
    cmd = " ".join(["python benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)])
    res["meta"] = {"repo": repo_state(), "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "command": cmd,
                   "mode": "smoke" if args.smoke else ("quick" if args.quick else "full"), "rounds": args.rounds,
                   "machine": machine, "versions": versions, "pins": setup["pins"],
                   "substitutions": setup["substitutions"], "notes": notes}

    # ---------------------------------------------------------- section file
    section = (work / "conversations.yaml")
    if args.section:
        section = args.section.resolve()
        res["select"] = {"ok": section.is_file(), "given": str(section)}
    else:
        log("extracting the Conversations section with convgen select")
        res["select"] = bench_build.run_select(tools, args.spec.resolve(), section, log, work)
    have_section = bool(res["select"]["ok"])
    caches = bench_build.CacheDirs(work)
    spec = args.spec.resolve()

    # ---------------------------------------------------------- builds
    pkg: dict = {"ok": False, "first_error": "no section file"}
    if have_section:
        # The client for sections 4-6; being the first build, it also primes the warm cache.
        pkg = bench_build.build_client_package(tools, section, work, caches)
        if not pkg["ok"]:
            notes.append(f"convgen build failed on the section: rc={pkg['rc']}: {pkg['first_error']}")
        contenders = bench_build.section_contenders(tools, section, caches, work)
        log(f"section builds: {args.rounds} round(s)")
        res["section_build"] = bench_build.run_contenders(contenders, args.rounds, tools, work, "section", log)
    else:
        skipped["section_build"] = f"no section file ({res['select'].get('first_error')})"
    res["client_package"] = pkg
    log(f"full-spec builds: convgen {args.rounds} round(s), peers {args.full_peer_rounds} round(s)")
    full = bench_build.run_contenders(bench_build.full_contenders(tools, spec, caches, False), args.rounds, tools,
                                      work, "full", log)
    peers_full = bench_build.full_contenders(tools, spec, caches, True)[2:]
    if peers_full and args.full_peer_rounds > 0:
        full += bench_build.run_contenders(peers_full, args.full_peer_rounds, tools, work, "fullpeer", log)
    elif not args.smoke:
        skipped["full_peers"] = "peers on the full spec skipped (--quick or --full-peer-rounds 0)"
    res["full_build"], res["full_peer_rounds"] = full, args.full_peer_rounds if peers_full else 0

    if pkg["ok"]:
        built = Path(pkg["out"])
        log("rebuild / check")
        res["rebuild_check"] = bench_build.run_rebuild_check(tools, section, spec, caches, work, built,
                                                             1 if args.smoke else max(2, n["samples"]), log)
        res["section_vs_full_identical"] = bench_build.compare_section_vs_full(tools, built, spec, work, caches)
    else:
        skipped["rebuild_check"] = "no successful convgen build of the section"

    # ---------------------------------------------------------- client
    ours = ["ours"] if pkg["ok"] else []
    if not pkg["ok"]:
        notes.append(f"generated client unavailable: {pkg.get('first_error')}")
    sdk = [] if args.smoke else ["sdk"]
    cenv = child_env({"PYTHONPATH": pkg["pythonpath"]} if pkg.get("pythonpath") else None)
    if ours or sdk:
        log("client import")
        res["import"] = bench_client.bench_import(python, cenv, ours + sdk, n["samples"], log)
    with running_server() as url:
        if ours or sdk:
            log(f"time to first response against {url}")
            res["ttfr"] = bench_client.bench_ttfr(python, cenv, ours + sdk, url, n["samples"], log, own)
        log("sequential requests")
        res["rps"] = bench_client.bench_rps(python, cenv, ours + sdk + ["httpx"] + ([] if args.smoke else ["httpx2"]),
                                            url, args.rounds, n["rps_warmup"], n["rps_calls"], n["rps_batches"], log)
    payload = args.payload.resolve()
    if not payload.is_file():
        skipped["decode"] = f"payload {payload} not found"
    elif ours or sdk:
        log("decode / encode")
        res["decode"] = bench_decode.bench_decode(python, cenv, payload,
                                                  ours + ([] if args.smoke else ["sdk", "sdk-validate"]),
                                                  args.rounds, n["dec_repeats"], n["dec_min_time"], log)
        res["decode_mix"] = bench_decode.bench_mix(python, cenv, REPO / "tests" / "fixtures" /
                                                   "conversation_items_all_variants.json", work,
                                                   ours + ([] if args.smoke else ["sdk"]), args.rounds,
                                                   n["dec_repeats"], n["dec_min_time"], log)

    # ---------------------------------------------------------- at scale
    run_scale(args, tools, python, spec, work, caches, n, res, log, own)

    # Build outputs are large (openapi-generator-cli on the full spec: ~3,900 files); the
    # section file, the logs and the generated client stay for inspection.
    for d in ("out", "xdg"):
        shutil.rmtree(work / d, ignore_errors=True)

    # ---------------------------------------------------------- report
    res["targets"] = report.evaluate_targets(res) + report_scale.evaluate_scale_targets(res)
    res["meta"]["duration_s"] = time.perf_counter() - t_start
    res["meta"]["loadavg_end"] = os.getloadavg()
    out = args.out_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    dump_json(res, out / "results.json")
    (out / "RESULTS.md").write_text(report.render(res))
    if not args.smoke and out == BENCH_DIR.resolve():  # the recorded run: the README quotes it
        report_readme.update_readme(res)
    for t in res["targets"]:
        log(f"  {t['status']:4}  {t['target']}: {t['measured']} (goal {t['goal']})")
    log(f"wrote {out / 'RESULTS.md'} and {out / 'results.json'} in {res['meta']['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
