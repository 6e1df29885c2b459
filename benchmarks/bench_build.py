"""Build benchmarks: generating a client with convgen and with the peers.

Every contender is one whole process, measured by common.run_measured (wall
time, exit code, peak RSS of its process tree).  Contenders alternate within
each round (the order rotates from round to round), and figures are medians
over rounds.  A failing peer is a result: its exit code and first error line
are recorded, and it is not retried.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import (
    PACKAGE,
    TAG,
    ProcResult,
    error_context,
    find_package_parent,
    fresh_dir,
    rotate,
    run_measured,
    stats,
    tree_size,
    trees_identical,
)

# Tool output that means "generated, but with parts missing" (counted per run).
_DIAGNOSTICS = [
    (re.compile(r"Endpoint will not be generated"), "endpoints not generated"),
    (re.compile(r"response will be omitted"), "responses omitted"),
    (re.compile(r"Unable to parse schema"), "schemas not parsed"),
    (re.compile(r"\] ERROR "), "ERROR log lines"),
    (re.compile(r"\] WARN "), "WARN log lines"),
    (re.compile(r"\w*Warning: "), "Python warnings"),
]


def diagnostics(text: str) -> str:
    counts = [(len(rx.findall(text)), label) for rx, label in _DIAGNOSTICS]
    return ", ".join(f"{n} {label}" for n, label in counts if n)


# Every convgen run ignores configuration files: the repo's pyproject.toml has a
# [tool.convgen] table (found from the work dir upwards) that must not steer the benchmark.
NO_CONFIG = "--no-config"


@dataclass
class Tools:
    """How to invoke each tool (argv prefixes), and the environment for them."""

    convgen: list[str]
    env: dict[str, str]
    peers_bin: Path | None = None  # the peers' venv bin/; None = peers not available

    def peer(self, name: str) -> list[str]:
        assert self.peers_bin is not None
        return [str(self.peers_bin / name)]


@dataclass
class Contender:
    name: str
    kind: str                                   # "convgen" or "peer"
    argv: Callable[[Path], list[str]]           # OUT -> argv
    out_is_file: bool = False
    prepare: Callable[[], dict[str, str]] | None = None  # per-run extra env
    note: str = ""


class CacheDirs:
    """XDG_CACHE_HOME handling for convgen: an empty one per cold run, one shared warm one."""

    def __init__(self, work: Path):
        self.root = fresh_dir(work / "xdg")
        self.warm = self.root / "warm"
        self.warm.mkdir()
        self._n = 0

    def cold(self) -> dict[str, str]:
        self._n += 1
        d = fresh_dir(self.root / f"cold{self._n}")
        return {"XDG_CACHE_HOME": str(d)}

    def warm_env(self) -> dict[str, str]:
        return {"XDG_CACHE_HOME": str(self.warm)}


def convgen_build_argv(tools: Tools, spec: Path, out: Path, tag: bool) -> list[str]:
    argv = [*tools.convgen, "build", NO_CONFIG, str(spec)]
    if tag:
        argv += ["--tag", TAG]
    return argv + ["--package", PACKAGE, "-o", str(out)]


def section_contenders(tools: Tools, section: Path, caches: CacheDirs, work: Path) -> list[Contender]:
    cs = [
        Contender("convgen (cold cache)", "convgen", lambda o: convgen_build_argv(tools, section, o, False),
                  prepare=caches.cold),
        Contender("convgen (warm cache)", "convgen", lambda o: convgen_build_argv(tools, section, o, False),
                  prepare=caches.warm_env),
    ]
    if tools.peers_bin is None:
        return cs
    nohooks = work / "opc-nohooks.yaml"
    nohooks.write_text("post_hooks: []\n")
    opc = tools.peer("openapi-python-client")
    cs += [
        Contender("openapi-python-client (ruff post-hooks)", "peer",
                  lambda o: [*opc, "generate", "--path", str(section), "--output-path", str(o), "--overwrite"],
                  note="default post_hooks: ruff check --fix-only, ruff format"),
        Contender("openapi-python-client (no post-hooks)", "peer",
                  lambda o: [*opc, "generate", "--path", str(section), "--output-path", str(o), "--overwrite",
                             "--config", str(nohooks)], note="config file with post_hooks: []"),
        Contender("datamodel-codegen (dataclasses, models only)", "peer",
                  lambda o: [*tools.peer("datamodel-codegen"), "--input", str(section), "--input-file-type",
                             "openapi", "--output-model-type", "dataclasses.dataclass", "--output", str(o)],
                  out_is_file=True, note="generates models only, no client"),
        Contender("openapi-generator-cli (python)", "peer",
                  lambda o: [*tools.peer("openapi-generator-cli"), "generate", "-g", "python", "-i", str(section),
                             "-o", str(o)], note="Java 17; jar shipped inside the PyPI wheel"),
    ]
    return cs


def full_contenders(tools: Tools, spec: Path, caches: CacheDirs, with_peers: bool) -> list[Contender]:
    cs = [
        Contender("convgen --tag Conversations (cold cache)", "convgen",
                  lambda o: convgen_build_argv(tools, spec, o, True), prepare=caches.cold),
        Contender("convgen --tag Conversations (warm cache)", "convgen",
                  lambda o: convgen_build_argv(tools, spec, o, True), prepare=caches.warm_env),
    ]
    if not with_peers or tools.peers_bin is None:
        return cs
    ogc = tools.peer("openapi-generator-cli")
    cs += [
        Contender("openapi-python-client (whole spec, ruff post-hooks)", "peer",
                  lambda o: [*tools.peer("openapi-python-client"), "generate", "--path", str(spec),
                             "--output-path", str(o), "--overwrite"], note="has no tag selection"),
        Contender("datamodel-codegen (whole spec, models only)", "peer",
                  lambda o: [*tools.peer("datamodel-codegen"), "--input", str(spec), "--input-file-type", "openapi",
                             "--output-model-type", "dataclasses.dataclass", "--output", str(o)],
                  out_is_file=True, note="has no tag selection"),
        Contender("openapi-generator-cli (whole spec)", "peer",
                  lambda o: [*ogc, "generate", "-g", "python", "-i", str(spec), "-o", str(o)]),
        Contender("openapi-generator-cli (--skip-validate-spec, FILTER tag:Conversations)", "peer",
                  lambda o: [*ogc, "generate", "-g", "python", "-i", str(spec), "-o", str(o),
                             "--skip-validate-spec", "--openapi-normalizer", f"FILTER=tag:{TAG}"],
                  note="FILTER keeps the tagged operations but still generates every model"),
    ]
    return cs


def run_contenders(contenders: list[Contender], rounds: int, tools: Tools, work: Path, label: str,
                   log: Callable[[str], None], timeout: float = 600.0,
                   per_run: Callable[[ProcResult], dict] | None = None) -> list[dict]:
    """Run each contender `rounds` times, alternating; return one result dict per contender
    (with `per_run`, convgen's rows also list what it reads from each of their runs)."""
    runs: dict[str, list[ProcResult]] = {c.name: [] for c in contenders}
    outputs: dict[str, Path] = {}
    for r in range(rounds):
        for c in rotate(contenders, r):
            if runs[c.name] and runs[c.name][-1].rc != 0 and not runs[c.name][-1].timed_out:
                continue  # a deterministic failure is the result; don't spend time repeating it
            out = work / "out" / f"{label}-{contenders.index(c)}"
            if out.exists():
                shutil.rmtree(out) if out.is_dir() else out.unlink()
            if c.out_is_file:
                out.parent.mkdir(parents=True, exist_ok=True)
                out = out.with_suffix(".py")
                out.unlink(missing_ok=True)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
            env = dict(tools.env)
            if c.prepare:
                env.update(c.prepare())
            res = run_measured(c.argv(out), env=env, cwd=work, timeout=timeout,
                               log_path=work / "logs" / f"{label}-{contenders.index(c)}.log")
            runs[c.name].append(res)
            outputs[c.name] = out
            status = "ok" if res.ok else f"FAILED rc={res.rc}: {res.first_error}"
            log(f"  [{label} round {r + 1}/{rounds}] {c.name}: {res.wall_s:.2f} s, "
                f"{res.maxrss_kib / 1024:.0f} MiB, {status}")
    results = []
    for c in contenders:
        rs = runs[c.name]
        ok = [x for x in rs if x.ok]
        bad = [x for x in rs if not x.ok]
        out = outputs.get(c.name)
        results.append({
            "name": c.name, "kind": c.kind, "note": c.note, "argv": rs[0].argv if rs else None,
            "runs": len(rs), "failures": len(bad),
            "status": "ok" if not bad else ("failed" if not ok else "flaky"),
            "rc": bad[0].rc if bad else 0, "first_error": bad[0].first_error if bad else None,
            "error_context": error_context(bad[0].stdout, bad[0].first_error) if bad else None,
            "wall_s": stats([x.wall_s for x in ok]) or stats([x.wall_s for x in rs]),
            "wall_s_of": "successful runs" if ok else "failed runs",
            "maxrss_mib": stats([x.maxrss_kib / 1024 for x in rs]),
            "cpu_s": stats([x.cpu_s for x in rs]),
            "output": tree_size(out) if (out and out.exists() and ok) else None,
            "diagnostics": diagnostics(rs[-1].stdout) if rs else "",
        })
        if per_run is not None and c.kind == "convgen":
            results[-1]["per_run"] = [per_run(x) for x in rs]
    return results


def run_select(tools: Tools, spec: Path, section: Path, log: Callable[[str], None], work: Path) -> dict:
    """Extract the tagged section once: `convgen select SPEC --tag Conversations -o FILE`."""
    section.parent.mkdir(parents=True, exist_ok=True)
    section.unlink(missing_ok=True)
    res = run_measured([*tools.convgen, "select", NO_CONFIG, str(spec), "--tag", TAG, "-o", str(section)],
                       env=tools.env, cwd=work, log_path=work / "logs" / "select.log")
    log(f"  convgen select: rc={res.rc} {res.wall_s:.2f} s {res.maxrss_kib / 1024:.0f} MiB")
    d = res.summary()
    d["ok"] = res.ok and section.is_file()
    return d


def run_rebuild_check(tools: Tools, section: Path, spec: Path, caches: CacheDirs, work: Path,
                      built: Path, samples: int, log: Callable[[str], None]) -> dict:
    """Rebuild into an existing, up-to-date OUT and `convgen check` it (warm cache).

    OUT starts as a copy of `built`, the output of an earlier build of the section.
    """
    out = work / "out" / "rebuild" / PACKAGE
    if out.parent.exists():
        shutil.rmtree(out.parent)
    out.parent.mkdir(parents=True)
    shutil.copytree(built, out, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**tools.env, **caches.warm_env()}
    # each check names the options the output was built with (the section: none; the full spec:
    # its tag), as a user's `convgen check` beside their `convgen build` does
    out_args = ["--package", PACKAGE, "-o", str(out)]
    contenders = {
        "rebuild, nothing changed (section)": convgen_build_argv(tools, section, out, False),
        "convgen check (section)": [*tools.convgen, "check", NO_CONFIG, str(section), *out_args],
        "convgen check (full spec)": [*tools.convgen, "check", NO_CONFIG, str(spec), "--tag", TAG, *out_args],
    }
    names = list(contenders)
    for n in names:  # unmeasured: the measure is of a warm cache, which each command's first run fills
        run_measured(contenders[n], env=env, cwd=work)
    runs: dict[str, list[ProcResult]] = {n: [] for n in names}
    for r in range(samples):
        for n in rotate(names, r):
            runs[n].append(run_measured(contenders[n], env=env, cwd=work))
    result = {}
    for n in names:
        rs = runs[n]
        bad = [x for x in rs if not x.ok]
        result[n] = {"argv": rs[0].argv, "wall_s": stats([x.wall_s for x in rs]),
                     "maxrss_mib": stats([x.maxrss_kib / 1024 for x in rs]),
                     "failures": len(bad), "rc": bad[0].rc if bad else 0,
                     "first_error": bad[0].first_error if bad else None}
        log(f"  {n}: median {result[n]['wall_s']['median']:.3f} s, failures {len(bad)}")
    return result


def build_client_package(tools: Tools, section: Path, work: Path, caches: CacheDirs) -> dict:
    """Generate the client used by the import/request/decode benchmarks; find its import root.

    Runs first, with the warm cache directory, so it also primes that cache.
    """
    out = work / "client" / PACKAGE
    if out.parent.exists():
        shutil.rmtree(out.parent)
    out.parent.mkdir(parents=True)
    res = run_measured(convgen_build_argv(tools, section, out, False), env={**tools.env, **caches.warm_env()},
                       cwd=work, log_path=work / "logs" / "client-build.log")
    root = find_package_parent(out) if res.ok else None
    return {"ok": res.ok and root is not None, "rc": res.rc, "first_error": res.first_error,
            "wall_s": res.wall_s, "out": str(out), "pythonpath": str(root) if root else None,
            "size": tree_size(out) if res.ok else None}


def compare_section_vs_full(tools: Tools, built: Path, spec: Path, work: Path, caches: CacheDirs) -> bool | None:
    """Does `build SPEC --tag Conversations` produce the same files as `build SECTION` did (`built`)?"""
    b = fresh_dir(work / "out" / "same-full") / PACKAGE
    rb = run_measured(convgen_build_argv(tools, spec, b, True), env={**tools.env, **caches.warm_env()}, cwd=work)
    if not (rb.ok and built.exists() and b.exists()):
        return None
    return trees_identical(built, b)
