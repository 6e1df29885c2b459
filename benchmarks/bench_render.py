"""The cost of rendering itself on whole real specs, apart from compiling the templates.

    python benchmarks/bench_render.py                      # the OpenAI spec and Box
    python benchmarks/bench_render.py SPEC [SPEC...]       # other specs, whole
    python benchmarks/bench_render.py --against DIR [SPEC...]

For each spec: the plan stage's CPU time, the built-in templates' compile time, then each
template's render time (`get_template(t).render(**context)` over all its jobs, compiled
beforehand; CPU, best of 5 rounds). With `--against DIR`, the templates of DIR (a copy of
templates/ as it was, say) render the same jobs too, job by job in turn with the built-in
ones so that a busy machine's noise falls on both alike, and their texts must be identical.
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from convgen import format as _format  # noqa: E402,F401  (the CLI has it loaded: `fits` reads its line length)
from convgen.build import build  # noqa: E402
from convgen.load import load  # noqa: E402
from convgen.plan import plan  # noqa: E402
from convgen.views import Job, Options  # noqa: E402
from convgen.render import environment  # noqa: E402
from convgen.select import Selection, select  # noqa: E402

ROUNDS = 5


def jobs_of(spec: Path, package: str) -> tuple[list[Job], float]:
    loaded, diags = load(spec, (), (), use_cache=False)
    assert loaded is not None, diags
    section, diags = select(loaded.doc, Selection((), ()))
    assert section is not None, diags
    api, _ = build(section, None)
    start = time.process_time()
    jobs = plan(api, Options(package=package))
    return [j for j in jobs if j.template], time.process_time() - start


def check(spec: Path, against: Path | None) -> bool:
    jobs, plan_s = jobs_of(spec, spec.stem.replace("-", "_").replace(".", "_"))
    envs = {"built-in": environment(None)} | ({"against": environment(against)} if against else {})
    start = time.process_time()
    for j in jobs:
        envs["built-in"].get_template(j.template)
    compile_s = time.process_time() - start
    for j in jobs:
        for env in envs.values():
            env.get_template(j.template)
    best: dict[str, dict[str, float]] = {name: collections.defaultdict(lambda: float("inf")) for name in envs}
    texts: dict[str, dict[str, str]] = {name: {} for name in envs}
    for i in range(ROUNDS):
        spent = {name: collections.Counter() for name in envs}
        for j in jobs:
            for name, env in sorted(envs.items(), reverse=i % 2 == 1):
                template = env.get_template(j.template)
                start = time.process_time()
                texts[name][j.path] = template.render(**j.context)
                spent[name][j.template] += time.process_time() - start
        for name in envs:
            for template, seconds in spent[name].items():
                best[name][template] = min(best[name][template], seconds)
    count = collections.Counter(j.template for j in jobs)
    mine = best["built-in"]
    total = sum(mine.values())
    print(f"{spec.name}: {len(jobs)} jobs; plan {plan_s:.3f} s, compile {compile_s:.3f} s, render {total:.3f} s")
    for template in sorted(mine, key=mine.__getitem__, reverse=True):
        line = f"  {template:26s} {count[template]:5d} jobs {mine[template] * 1000:8.1f} ms"
        if against:
            theirs = best["against"][template]
            line += f"   against {theirs * 1000:8.1f} ms   ratio {mine[template] / theirs:.2f}"
        print(line)
    if against:
        differ = [path for path, text in texts["built-in"].items() if text != texts["against"][path]]
        print(f"  texts that differ: {len(differ)} {differ[:5]}")
        return not differ
    return True


def main(argv: list[str]) -> int:
    against = None
    if argv[:1] == ["--against"]:
        against, argv = Path(argv[1]), argv[2:]
    specs = [Path(a) for a in argv] or [ROOT / "spec" / "openai.yaml", ROOT / "tests" / "corpus" / "box.json"]
    ok = all([check(spec, against) for spec in specs])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
