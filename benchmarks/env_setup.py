"""The benchmark virtualenv (benchmarks/.venv) and facts about the machine.

Peers are installed at pinned versions once (a marker file records what was
installed; a change of pins reinstalls).  convgen is reinstalled from the repo
on every run, non-editable, so the figures are for the code as it is now.  The
peers' pins are passed as constraints to that install, so convgen's own
dependencies can never move them.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import venv
from pathlib import Path

PINS = {
    "openapi-python-client": "0.29.1",
    "datamodel-code-generator": "0.89.0",
    "openapi-generator-cli": "7.26.0",
    "openai": "3.51.0",
    "httpx": "0.28.1",
    "mypy": "2.4.1",  # the type-checking cost of the whole-API client vs the SDK (bench_scale.py)
}
# Versions reported in RESULTS.md (whatever is installed in the venv).
REPORTED = ["convgen", *PINS, "httpx2", "pydantic", "pydantic-core", "ruff", "black", "isort", "PyYAML", "jinja2"]


MARKER = ".bench-peers.json"  # in the venv: what was installed, and the pins asked for


def venv_python(venv_dir: Path) -> Path:
    return venv_dir / "bin" / "python"


def _pip(py: Path, *args: str, log) -> subprocess.CompletedProcess:
    cmd = [str(py), "-m", "pip", "--disable-pip-version-check", *args]
    log("  $ " + " ".join(cmd[2:]))
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def _nearest_version(py: Path, name: str, wanted: str, log) -> str | None:
    """Nearest available version when a pin does not exist (recorded in the report)."""
    res = _pip(py, "index", "versions", name, log=log)
    m = re.search(r"Available versions: (.*)", res.stdout)
    if not m:
        return None
    def key(v: str) -> tuple:
        return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.+-]", v))
    versions = [v.strip() for v in m.group(1).split(",")]
    return min(versions, key=lambda v: sum(abs(a - b) * 1000 ** -i for i, (a, b) in
                                           enumerate(zip(key(v), key(wanted)))))


def ensure_venv(venv_dir: Path, convgen_src: Path, log, with_peers: bool = True) -> dict:
    """Create/refresh the venv; return {"python", "pins", "substitutions", "convgen_install"}."""
    py = venv_python(venv_dir)
    if not py.exists():
        log(f"creating virtualenv {venv_dir}")
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    marker = venv_dir / MARKER
    installed = json.loads(marker.read_text()) if marker.exists() else None
    pins = dict(installed["pins"]) if installed else dict(PINS)
    substitutions = dict(installed["substitutions"]) if installed else {}
    if with_peers and (installed is None or installed.get("requested") != PINS):
        pins, substitutions = dict(PINS), {}
        log("installing peers at pinned versions")
        res = _pip(py, "install", "--quiet", *[f"{n}=={v}" for n, v in pins.items()], log=log)
        if res.returncode != 0:  # find which pin does not exist; use the nearest version
            for name, ver in PINS.items():
                avail = _pip(py, "index", "versions", name, log=log).stdout
                if not re.search(rf"[ ,]{re.escape(ver)}(,|$)", avail, re.MULTILINE):
                    near = _nearest_version(py, name, ver, log)
                    if near is None:
                        raise SystemExit(f"{name}=={ver} is not available and no other version was found")
                    pins[name], substitutions[name] = near, f"{ver} not available; used {near}"
            res = _pip(py, "install", "--quiet", *[f"{n}=={v}" for n, v in pins.items()], log=log)
        if res.returncode != 0:
            raise SystemExit("peer install failed:\n" + res.stdout[-2000:] + res.stderr[-2000:])
        marker.write_text(json.dumps({"requested": PINS, "pins": pins, "substitutions": substitutions}))
    constraints = venv_dir / ".bench-constraints.txt"
    constraints.write_text("".join(f"{n}=={v}\n" for n, v in pins.items()))
    # A local directory is always rebuilt and reinstalled by pip, so this picks
    # up the current code; the constraints keep convgen's deps off the pins.
    log(f"installing convgen from {convgen_src} (non-editable)")
    res = _pip(py, "install", "--quiet", "-c", str(constraints), str(convgen_src), log=log)
    return {"python": str(py), "pins": pins, "substitutions": substitutions,
            "convgen_install": {"ok": res.returncode == 0,
                                "error": None if res.returncode == 0 else (res.stderr or res.stdout)[-1500:]}}


# The type-checking and first-response measures run each client in a virtualenv of its own, holding
# what installing it brings and mypy: in the shared bench venv, httpx's `__init__` imports its optional
# command line (`httpx._main`) when it can, so importing httpx there also imports click, rich and
# pygments (about 75 ms), and mypy reads them, because the other contenders installed them there; the
# SDK's HTTP library (httpx2) has no such import.
OWN_REQUIREMENTS = {"ours": ["mypy", "httpx"], "sdk": ["mypy", "openai"]}


def own_venvs(venv_dir: Path, pins: dict[str, str], log, install: bool) -> dict[str, str]:
    """{"ours"|"sdk": python} of each client's own virtualenv beside `venv_dir` (made or refreshed
    when `install`); a side whose venv is missing or failed to install is left out."""
    out = {}
    for side, names in OWN_REQUIREMENTS.items():
        folder = venv_dir.parent / f"{venv_dir.name}-{side}"
        py, marker = venv_python(folder), folder / MARKER
        wanted = {n: pins.get(n) or PINS[n] for n in names}
        ready = py.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted
        if install and not ready:
            log(f"creating the virtualenv {folder}")
            venv.EnvBuilder(with_pip=True, clear=True).create(folder)
            res = _pip(py, "install", "--quiet", *[f"{n}=={v}" for n, v in wanted.items()], log=log)
            ready = res.returncode == 0
            if ready:
                marker.write_text(json.dumps(wanted))
            else:
                log(f"  failed: {(res.stderr or res.stdout)[-500:]}")
        if ready:
            out[side] = str(py)
    return out


def install_client(python: str, client_root: Path, pins: dict[str, str], log) -> str | None:
    """pip-install a generated client (non-editable, with its dependencies at the pins) into the venv
    of `python`, as a user of it would; the error's last line, or None."""
    res = _pip(Path(python), "install", "--quiet", str(client_root), f"httpx=={pins.get('httpx') or PINS['httpx']}",
               log=log)
    return None if res.returncode == 0 else ((res.stderr or res.stdout).strip().splitlines() or ["pip failed"])[-1]


def existing_venv(venv_dir: Path) -> dict:
    """The venv as it is (`run.py --no-install`): what ensure_venv returns, installing nothing."""
    py = venv_python(venv_dir)
    if not py.is_file():
        raise SystemExit(f"--no-install: no venv at {venv_dir} (no {py})")
    marker = venv_dir / MARKER
    installed = json.loads(marker.read_text()) if marker.exists() else {}
    return {"python": str(py), "pins": installed.get("pins", {}), "substitutions": installed.get("substitutions", {}),
            "convgen_install": {"ok": True, "error": None}}


def package_versions(python: str, names: list[str] = REPORTED) -> dict[str, str | None]:
    code = ("import json, sys\nfrom importlib import metadata\nout = {}\n"
            "for n in sys.argv[1:]:\n    try: out[n] = metadata.version(n)\n"
            "    except metadata.PackageNotFoundError: out[n] = None\nprint(json.dumps(out))")
    res = subprocess.run([python, "-c", code, *names], capture_output=True, text=True, check=False)
    return json.loads(res.stdout) if res.returncode == 0 else {}


def _first_line(cmd: list[str]) -> str | None:
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (res.stdout + res.stderr).strip().splitlines()
    return lines[0] if lines else None


def machine_info(python: str) -> dict:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = None
    try:
        m = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        mem_kib = int(m.group(1)) if m else None
    except OSError:
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem_kib / 1024 ** 2, 1) if mem_kib else None,
        "os": platform.platform(), "python": _first_line([python, "--version"]),
        "orchestrator_python": sys.version.split()[0],
        "java": _first_line(["java", "-version"]),
        "loadavg_start": os.getloadavg(),
    }
