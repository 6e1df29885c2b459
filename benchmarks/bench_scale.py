"""Benchmarks at scale: whole real specs, warm regeneration, locating diagnostics,
the whole-API client's import and type-checking cost.

- whole-spec builds: convgen (cold cache, no selection) against openapi-python-client on the
  whole OpenAI spec and on real specs of the corpus (Box: one 1.3 MB JSON file; DigitalOcean:
  2,907 files with relative `$ref`s, which the peer reads as one bundled file written by
  `convgen select`, since it cannot follow relative references itself);
- one schema changed in the whole OpenAI spec, warm cache, existing output folder;
- locating 400 diagnostics in a 3 MB JSON spec (`convgen validate -v`'s `locate` stage);
- the whole-API client: import + construct in a fresh interpreter against `from openai import
  OpenAI`, and `mypy --strict` (cold cache) on the same 20-line script written against each.
"""

from __future__ import annotations

import json
import re
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench_build import NO_CONFIG, CacheDirs, Contender, Tools, run_contenders
from common import REPO, find_package_parent, fresh_dir, rotate, run_measured, stats

WHOLE_PACKAGE = "openai_full"
CORPUS = REPO / "tests" / "corpus"
DO_ROOT = "specification/DigitalOcean-public.v2.yaml"
# a component schema's own one-line, unquoted description (appending to it keeps the YAML valid)
_PLAIN_DESCRIPTION = re.compile(r"^    \w+:\n      description: ([^|>'\"\n][^\n]*)$", re.M)
STAGE_LINE = re.compile(r"^convgen: (\w+)\s+([\d.]+) ms$", re.M)


@dataclass
class WholeSpec:
    label: str
    convgen_spec: Path  # what convgen reads
    peer_spec: Path | None  # what the peers read (None: not prepared)
    package: str
    peer_note: str = ""
    peer_options: str = ""  # lines of the peer's YAML configuration this spec needs


def prepare_specs(tools: Tools, spec: Path, work: Path, log: Callable[[str], None]) -> list[WholeSpec]:
    """The whole specs to build; DigitalOcean is unpacked and bundled into one file for the peers."""
    specs = [
        WholeSpec("OpenAI (3 MB YAML, 288 operations)", spec, spec, WHOLE_PACKAGE),
        WholeSpec("Box (1.3 MB JSON, 296 operations)", CORPUS / "box.json", CORPUS / "box.json", "box",
                  "with `literal_enums: true`, the peer's own advice: without it, it stops at an enum whose values "
                  "give two members one name", "literal_enums: true\n"),
    ]
    root = fresh_dir(work / "digitalocean")
    with tarfile.open(CORPUS / "digitalocean-specification.tar.gz") as tar:
        tar.extractall(root, filter="data")
    bundled = work / "digitalocean-bundled.yaml"
    res = run_measured([*tools.convgen, "select", NO_CONFIG, str(root / DO_ROOT), "-o", str(bundled)],
                       env=tools.env, cwd=work, log_path=work / "logs" / "digitalocean-bundle.log")
    log(f"  bundled DigitalOcean for the peers: rc={res.rc} {res.wall_s:.1f} s")
    specs.append(WholeSpec("DigitalOcean (2,907 YAML files, 659 operations)", root / DO_ROOT,
                           bundled if res.ok and bundled.is_file() else None, "digitalocean",
                           "the peer reads the bundle `convgen select` wrote (it does not follow relative $refs)"))
    return specs


def _convgen_whole(tools: Tools, s: WholeSpec, caches: CacheDirs) -> Contender:
    return Contender(f"convgen (cold cache) — {s.label}", "convgen",
                     lambda o: [*tools.convgen, "build", NO_CONFIG, "-v", str(s.convgen_spec), "--package", s.package,
                                "-o", str(o)], prepare=caches.cold)


def whole_contenders(tools: Tools, s: WholeSpec, caches: CacheDirs, work: Path) -> list[Contender]:
    cs = [_convgen_whole(tools, s, caches)]
    if tools.peers_bin is None or s.peer_spec is None:
        return cs
    nohooks = work / f"opc-nohooks-{s.package}.yaml"
    nohooks.write_text(s.peer_options + "post_hooks: []\n")
    hooks: list[str] = []
    if s.peer_options:  # else none: the peer's defaults (its ruff post-hooks)
        (work / f"opc-{s.package}.yaml").write_text(s.peer_options)
        hooks = ["--config", str(work / f"opc-{s.package}.yaml")]
    opc, peer_spec = tools.peer("openapi-python-client"), s.peer_spec
    cs += [
        Contender(f"openapi-python-client (ruff post-hooks) — {s.label}", "peer",
                  lambda o: [*opc, "generate", "--path", str(peer_spec), "--output-path", str(o), "--overwrite",
                             *hooks], note=s.peer_note),
        Contender(f"openapi-python-client (no post-hooks) — {s.label}", "peer",
                  lambda o: [*opc, "generate", "--path", str(peer_spec), "--output-path", str(o), "--overwrite",
                             "--config", str(nohooks)], note=s.peer_note),
    ]
    return cs


def stage_timings(log_text: str) -> dict[str, float]:
    """`-v` stage timings (seconds) from a convgen log."""
    return {name: float(ms) / 1000 for name, ms in STAGE_LINE.findall(log_text)}


def bench_whole_builds(tools: Tools, specs: list[WholeSpec], caches: CacheDirs, work: Path, rounds: int,
                       log: Callable[[str], None]) -> list[dict]:
    out = []
    for i, s in enumerate(specs):
        rows = run_contenders(whole_contenders(tools, s, caches, work), rounds, tools, work, f"whole{i}", log,
                              timeout=900, per_run=lambda x: {"wall_s": x.wall_s, "stages_s": stage_timings(x.stdout)})
        ours = rows[0]
        text = (work / "logs" / f"whole{i}-0.log").read_text(errors="replace")
        ours["stages_s"] = stage_timings(text)
        out.append({"spec": s.label, "rows": rows})
        shutil.rmtree(work / "out", ignore_errors=True)  # whole-spec outputs are large
    return out


def _change_description(path: Path, original: str, marker: str) -> None:
    """Change one schema of the spec (`original`, its text) into `path`: the description of its
    first component schema that has one, given `marker` (a change that touches one type module
    and nothing else). Each change gets a new marker: a spec built before would come whole
    from the build cache, which is not what this measures."""
    found = _PLAIN_DESCRIPTION.search(original, original.index("\n  schemas:\n"))
    assert found is not None, "no schema with a one-line description"
    at, end = found.span(1)
    path.write_text(original[:at] + original[at:end] + marker + original[end:], encoding="utf-8")


def bench_warm_change(tools: Tools, spec: Path, work: Path, samples: int, log: Callable[[str], None]) -> dict:
    """One schema's description changed, then `convgen build` into the up-to-date folder, warm cache."""
    root = fresh_dir(work / "warm-change")
    copy = root / "openai.yaml"
    original = spec.read_text(encoding="utf-8")
    copy.write_text(original, encoding="utf-8")
    env = {**tools.env, "XDG_CACHE_HOME": str(root / "xdg")}
    out = root / "out"
    argv = [*tools.convgen, "build", NO_CONFIG, "-v", str(copy), "--package", WHOLE_PACKAGE, "-o", str(out)]
    prime = run_measured(argv, env=env, cwd=work, timeout=900, log_path=work / "logs" / "warm-prime.log")
    if not prime.ok:
        return {"ok": False, "first_error": prime.first_error}
    names = ["nothing changed", "one schema changed"]
    runs: dict[str, list] = {n: [] for n in names}
    stages: dict[str, dict[str, float]] = {}
    for r in range(samples):
        for n in rotate(names, r):
            if n == "one schema changed":
                _change_description(copy, original, f" (change {r + 1})")
            res = run_measured(argv, env=env, cwd=work, timeout=900)
            runs[n].append(res)
            stages[n] = stage_timings(res.stdout)
    result = {"ok": all(x.ok for rs in runs.values() for x in rs), "prime_s": prime.wall_s}
    for n in names:
        bad = [x for x in runs[n] if not x.ok]
        result[n] = {"wall_s": stats([x.wall_s for x in runs[n]]), "maxrss_mib": stats([x.maxrss_kib / 1024
                     for x in runs[n]]), "stages_s": stages.get(n), "first_error": bad[0].first_error if bad else None}
        log(f"  warm rebuild, {n}: median {result[n]['wall_s']['median']:.2f} s")
    shutil.rmtree(root / "out", ignore_errors=True)
    return result


def diagnostics_spec(spec: Path, target: Path, count: int = 400) -> None:
    """The OpenAI spec as JSON (about 3 MB) with `count` dangling `$ref`s spread over its schemas:
    each is one located diagnostic."""
    import yaml  # the orchestrator's; only to write the input file

    doc = yaml.load(spec.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    schemas = [s for s in doc["components"]["schemas"].values() if isinstance(s, dict) and "properties" in s]
    for i in range(count):
        schemas[i * len(schemas) // count]["properties"][f"bench_missing_{i}"] = {
            "$ref": f"#/components/schemas/BenchMissing{i}"}
    target.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")  # YAML dates as text


def bench_locate(tools: Tools, spec: Path, work: Path, samples: int, log: Callable[[str], None],
                 count: int = 400) -> dict:
    target = work / f"diagnostics-{count}.json"
    diagnostics_spec(spec, target, count)
    argv = [*tools.convgen, "validate", NO_CONFIG, "-v", "-q", str(target)]
    walls, locate, counted = [], [], None
    for _ in range(samples):
        res = run_measured(argv, env={**tools.env, "XDG_CACHE_HOME": str(work / "xdg-locate")}, cwd=work)
        walls.append(res.wall_s)
        t = stage_timings(res.stdout)
        if "locate" in t:
            locate.append(t["locate"])
        counted = len(re.findall(r"BenchMissing\d+", res.stdout))
    result = {"spec": spec.name, "count": count, "file_mib": target.stat().st_size / 2**20, "wall_s": stats(walls), "locate_s": stats(locate),
              "diagnostics_mentioning_the_refs": counted}
    log(f"  locate: {result['locate_s']['median'] if locate else float('nan'):.3f} s for {count} diagnostics")
    return result


TYPECHECK_SCRIPT = '''\
"""What a user writes: a few calls across the API."""
{import_line}

client = OpenAI(api_key="k")
for model in client.models.list():
    print(model.id)
file = client.files.retrieve("file_1")
print(file.filename, file.bytes)
batch = client.batches.cancel("batch_1")
print(batch.status)
conversation = client.conversations.create()
print(conversation.id)
items = client.conversations.items.list("conv_1", limit=10)
print([item for item in items])
store = client.vector_stores.retrieve("vs_1")
print(store.name)
job = client.fine_tuning.jobs.retrieve("ftjob_1")
print(job.status)
deleted = client.files.delete("file_1")
print(deleted.deleted)
'''


def build_whole_client(tools: Tools, spec: Path, work: Path, caches: CacheDirs) -> Path | None:
    """The whole-API client the import and mypy measures use; returns the folder to put on the path."""
    out = fresh_dir(work / "whole-client")
    res = run_measured([*tools.convgen, "build", NO_CONFIG, "-q", str(spec), "--package", WHOLE_PACKAGE, "-o",
                        str(out)], env={**tools.env, **caches.warm_env()}, cwd=work, timeout=900,
                       log_path=work / "logs" / "whole-client-build.log")
    return find_package_parent(out, WHOLE_PACKAGE) if res.ok else None


def _mypy(python: str, env: dict[str, str], script: str, folder: Path):
    """mypy --strict on use_SCRIPT.py with an empty cache of its own."""
    cache = fresh_dir(folder / f"cache-{script}")
    return run_measured([python, "-m", "mypy", "--strict", "--cache-dir", str(cache), f"use_{script}.py"],
                        env=env, cwd=folder, timeout=900)


def bench_whole_client(python: str, tools_env: dict[str, str], built: Path | None, work: Path, samples: int,
                       mypy_rounds: int, log: Callable[[str], None], typecheck: dict[str, str] | None = None) -> dict:
    """Import + construct the whole-API client vs the SDK; mypy --strict on one script against each
    (`typecheck`: the python of each side's own virtualenv, ours with the client installed)."""
    typecheck = typecheck or {}
    if built is None:
        return {"ok": False, "first_error": "no whole-spec build"}
    env = {**tools_env, "PYTHONPATH": str(built), "MYPYPATH": str(built)}
    code = {
        "python -c pass": "pass",
        "ours: import + Client()": f"import {WHOLE_PACKAGE}; {WHOLE_PACKAGE}.Client(api_key='k')",
        "sdk: import + OpenAI()": "from openai import OpenAI; OpenAI(api_key='k')",
    }
    for c in code.values():
        run_measured([python, "-c", c], env=env, cwd=work)  # warm-up: bytecode caches
    runs: dict[str, list] = {n: [] for n in code}
    for i in range(samples):
        for n in rotate(list(code), i):
            runs[n].append(run_measured([python, "-c", code[n]], env=env, cwd=work))
    result: dict = {"import": {n: {"wall_s": stats([x.wall_s for x in rs if x.ok]),
                                   "maxrss_mib": stats([x.maxrss_kib / 1024 for x in rs if x.ok]),
                                   "first_error": next((x.first_error for x in rs if not x.ok), None)}
                               for n, rs in runs.items()}}
    scripts = {"ours": f"from {WHOLE_PACKAGE} import Client as OpenAI", "sdk": "from openai import OpenAI"}
    folder = fresh_dir(work / "typecheck")
    for n, line in scripts.items():
        (folder / f"use_{n}.py").write_text(TYPECHECK_SCRIPT.format(import_line=line), encoding="utf-8")
    # The target's pair: each client installed in a virtualenv of its own (env_setup.typecheck_venvs);
    # then both once more in the shared bench venv, ours from the build folder on the path.
    own = {n: typecheck.get(n) for n in scripts}
    setups = {n: (own[n], tools_env, n) for n in scripts if own[n]}
    result["mypy_env"] = ("each client installed in a virtualenv of its own" if len(setups) == len(scripts) else
                          f"the shared bench venv (no virtualenv of its own for {', '.join(set(scripts) - set(setups))})")
    shared = {f"{n}, shared bench venv": (python, env, n) for n in scripts}
    if len(setups) < len(scripts):
        setups, shared = {n: (python, env, n) for n in scripts}, {}
    mypy_runs: dict[str, list] = {n: [] for n in [*setups, *shared]}
    for i in range(mypy_rounds):
        for label in rotate(list(setups), i):
            mypy_runs[label].append(_mypy(*setups[label], folder))
    for label in shared:
        mypy_runs[label].append(_mypy(*shared[label], folder))
    result["mypy"] = {}
    for n, rs in mypy_runs.items():
        last, script = rs[-1].stdout, (setups.get(n) or shared[n])[2]
        result["mypy"][n] = {"wall_s": stats([x.wall_s for x in rs]), "cpu_s": stats([x.cpu_s for x in rs]),
                             "maxrss_mib": stats([x.maxrss_kib / 1024 for x in rs]),
                             "script_errors": len(re.findall(rf"^use_{script}\.py:\d+: error", last, re.M)),
                             "summary": (last.strip().splitlines() or [""])[-1]}
        log(f"  mypy --strict, {n}: median {result['mypy'][n]['wall_s']['median']:.1f} s; "
            f"{result['mypy'][n]['summary']}")
    return result
