"""`-v` stage timings cover the whole run: each stage is listed (the build cache's lookup and
store, locating diagnostics and printing them included) and they add up to the total (issue 15)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_convgen


def _timings(stderr: str) -> list[tuple[str, float]]:
    rows = [line.split() for line in stderr.splitlines() if line.startswith("convgen: ") and line.endswith(" ms")]
    return [(row[1], float(row[2])) for row in rows]


def test_verbose_timings_add_up_to_the_total(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ("build", "spec/openai.yaml", "--tag", "Conversations", "--package", "p", "--no-config", "-v")
    for kind, stages in (
        ("cold", ["fingerprint", "cache-get", "imports", "load", "select", "validate", "build", "plan", "render", "format",
                  "validator", "cache-put", "write"]),
        ("warm", ["fingerprint", "cache-get", "write"]),
    ):
        result = run_convgen(*args, "-o", tmp_path / kind, env=env)
        assert result.returncode == 0, result.stderr
        timings = _timings(result.stderr)
        names = [name for name, _ in timings]
        assert names == ["startup", *stages, "locate", "report", "other", "total"], kind
        total = timings[-1][1]
        parts = [ms for _, ms in timings[:-1]]
        assert abs(sum(parts) - total) <= 0.05 * len(parts) + 0.1  # each printed to 0.1 ms
        assert all(ms >= 0 for ms in parts[:-1])
