"""The golden outputs: what `convgen build` must reproduce byte for byte.

Regenerate them all, after a deliberate change to generator/ or templates/, with

    python tests/goldens.py

(which first runs `python -m convgen.precompile`: generator/compiled/, the built-in templates compiled)

The committed clients are the targets of [tool.convgen] in pyproject.toml (generated/: the
Conversations API; generated-full/: the whole OpenAI API), each stored whole: users install them.

and review the diff before committing. Never edit the outputs by hand.

The feature goldens (tests/features/expected) are stored without their `_runtime/` folder:
it is templates/runtime copied verbatim, checked once for every build (test_golden), so a
runtime change does not show up as six identical diffs. `assemble` puts it back for tests
that import or compare a whole package.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "tests" / "features"
EXPECTED = FEATURES / "expected"
RUNTIME = ROOT / "templates" / "runtime"
COMMITTED = "openai_conversations"  # the committed client in generated/, the one most tests import


def committed() -> dict[str, tuple[str, Path]]:
    """package -> (target name, output folder) of each target in pyproject.toml's [tool.convgen]."""
    from convgen.config import load_config

    config, diags = load_config(ROOT / "pyproject.toml")
    assert not diags and config.targets, diags
    return {t.package: (t.target, ROOT / (t.output or "generated")) for t in config.targets}


def cases() -> dict[str, list[str]]:
    """name -> convgen arguments (after the command) that build it."""
    out = {package: ["--target", target] for package, (target, _) in committed().items()}
    for spec in sorted(FEATURES.glob("*.yaml")):
        out[spec.stem] = feature_args(spec.stem, EXPECTED / spec.stem)
    return out


def feature_args(name: str, out: Path) -> list[str]:
    spec = FEATURES / f"{name}.yaml"
    return [str(spec.relative_to(ROOT)), "--no-config", "--package", name,
            "-o", str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(out)]


def runtime_files() -> dict[str, bytes]:
    """What every generated package's `_runtime/` holds: the runtime modules, byte for byte."""
    from convgen.plan import RUNTIME_FILES

    return {name: (RUNTIME / name).read_bytes() for name in RUNTIME_FILES}


def assemble(name: str, dest: Path) -> Path:
    """The feature golden `name` as convgen builds it (with `_runtime/`), copied to dest/name."""
    folder = dest / name
    shutil.copytree(EXPECTED / name, folder)
    runtime = folder / name / "_runtime"
    runtime.mkdir()
    for file, data in runtime_files().items():
        (runtime / file).write_bytes(data)
    return folder


_assembled: list[Path] = []


def assembled_features() -> Path:
    """A temporary folder holding every feature golden assembled (made once per process)."""
    if not _assembled:
        folder = Path(tempfile.mkdtemp(prefix="convgen-features-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        for name in cases():
            if name not in committed():
                assemble(name, folder)
        _assembled.append(folder)
    return _assembled[0]


def main() -> int:
    # the built-in templates' compiled form first (generator/compiled/), so that the builds use it
    failed = subprocess.run([sys.executable, "-m", "convgen.precompile"], cwd=ROOT).returncode
    stored_whole = committed()
    for name, args in cases().items():
        result = subprocess.run([sys.executable, "-m", "convgen", "build", "-q", *args], cwd=ROOT)
        print(f"{name}: {'ok' if result.returncode == 0 else f'FAILED ({result.returncode})'}")
        failed |= result.returncode
        if name not in stored_whole and result.returncode == 0:
            shutil.rmtree(EXPECTED / name / name / "_runtime")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
