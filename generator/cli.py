"""The `convgen` command: runs the stages load -> select -> validate -> build -> plan -> render
-> format (composed in pipeline.py), then write (or compare), prints diagnostics, maps them to
exit codes.

Exit codes: 0 success, 1 warnings under --strict or differences in check mode, 2 errors,
70 an internal error (a bug of convgen: one line naming the stage and the spec location it was
processing; the traceback with -v), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO, TypeVar

from . import STARTED, __version__, pipeline
from .config import ARRAY_FORMATS, Config, env_prefix_of, find, load_config
from .diagnostics import Diagnostic, Severity, dump_json, has_errors, has_warnings

if TYPE_CHECKING:
    from .load import Spec

EXIT_OK, EXIT_DIFF, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 70
T = TypeVar("T")


@dataclass
class Run:
    """One command's diagnostics and stage timings, printed once at the end."""

    args: argparse.Namespace
    diags: list[Diagnostic] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)
    spec: Spec | None = None
    summary: str = ""
    locating: float = 0.0  # seconds spent finding diagnostics' lines, shown as its own stage
    failed_stage: str = ""  # the innermost stage an exception left, for the internal-error line
    config: Config | None = None  # the target this run builds, when main chose it among several
    started: float = field(default_factory=time.perf_counter)  # when main() began

    def stage(self, name: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return fn()
        except BaseException:
            self.failed_stage = self.failed_stage or name
            raise
        finally:
            self.timings.append((name, time.perf_counter() - start))

    def add(self, diags: list[Diagnostic]) -> bool:
        """Record diagnostics; True when they include an error (the run must stop)."""
        start = time.perf_counter()
        for d in diags:
            self.diags.append(self.spec.locate(d) if self.spec is not None and not d.file else d)
        self.locating += time.perf_counter() - start
        return has_errors(diags)

    def save_positions(self) -> None:
        """Keep the positions of diagnostics found in unchanged blocks for the next run."""
        if self.spec is not None:
            start = time.perf_counter()
            self.spec.save()
            self.locating += time.perf_counter() - start

    def merge(self, other: Run, label: str) -> None:
        """Take over what a run of one target found (its diagnostics are located already)."""
        other.save_positions()
        self.diags.extend(other.diags)
        self.timings.extend((f"{label}:{name}" if label else name, t) for name, t in other.timings)
        self.locating += other.locating
        self.summary = "\n".join(filter(None, [self.summary, other.summary]))

    def finish(self, code: int, out: TextIO | None = None) -> int:
        out = out or sys.stderr  # looked up now: a default bound at import time misses later redirection
        self.save_positions()
        start = time.perf_counter()
        code = self._report(code, out)
        if self.args.verbose:
            # every stage, so that they add up to the run's time ("other": what no stage covers)
            total = time.perf_counter() - STARTED
            stages = [("startup", self.started - STARTED), *self.timings, ("locate", self.locating)]
            stages.append(("report", time.perf_counter() - start))
            stages.append(("other", total - sum(seconds for _, seconds in stages)))
            width = max(11, *(len(name) for name, _ in stages))  # several targets: "target:stage"
            for name, seconds in [*stages, ("total", total)]:
                print(f"convgen: {name:<{width}} {seconds * 1000:8.1f} ms", file=out)
        return code

    def _report(self, code: int, out: TextIO) -> int:
        diags = sorted(set(self.diags), key=Diagnostic.sort_key)
        if self.args.format != "json":  # errors last, next to the verdict, where they do not scroll away
            diags.sort(key=lambda d: d.severity is Severity.ERROR)
        if self.args.format == "json":
            print(dump_json(diags), file=sys.stdout)
        elif not self.args.quiet or has_errors(diags):
            color = out.isatty() and not os.environ.get("NO_COLOR")
            for d in diags:
                if self.args.quiet and d.severity is not Severity.ERROR:
                    continue
                if d.severity is Severity.INFO and not self.args.verbose:
                    continue
                print(_paint(d.format(), d.severity, color), file=out)
        if self.summary and not self.args.quiet and self.args.format != "json":
            print(self.summary, file=out)
        if code == EXIT_OK and has_errors(diags):
            code = EXIT_ERROR
        if code == EXIT_OK and self.args.strict and has_warnings(diags):
            code = EXIT_DIFF
        strict_failure = code == EXIT_DIFF and self.args.strict and has_warnings(diags) and not has_errors(diags)
        if self.args.format != "json" and (code == EXIT_ERROR or strict_failure and not self.args.quiet):
            print(_verdict(self.args.command, diags, strict_failure), file=out)
        return code


def _verdict(command: str, diags: list[Diagnostic], strict: bool) -> str:
    """One line that says the run failed and how many problems it printed above."""
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return f"convgen: {command} failed: {counts}" + (" (--strict: warnings fail the run)" if strict else "")


def _paint(text: str, severity: Severity, color: bool) -> str:
    if not color:
        return text
    code = {"error": "31", "warning": "33", "info": "36"}[severity.value]
    return f"\033[{code}m{text}\033[0m"


def command() -> NoReturn:
    """The `convgen` command: main(), then out of the process without the interpreter's teardown,
    which freed a build's hundreds of thousands of objects one by one (~50 ms of every run). What
    was printed is flushed first; in-process callers use main().

    The cyclic garbage collector stays off: what a build makes lives to the end, and the process
    ends with it, so a collection finds nothing worth freeing (peak memory of a whole-spec build is
    the same), while the one that followed the pipeline's return walked all it made (~25 ms)."""
    gc.disable()
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage writes its data at the interpreter's exit
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help(sys.stderr)
        return EXIT_ERROR
    run = current = Run(args)
    try:
        if args.command not in PER_TARGET:
            return run.finish(COMMANDS[args.command](run))
        configs = _configs(run)
        if configs is None:
            return run.finish(EXIT_ERROR)
        code = EXIT_OK
        args.strict = args.strict or all(c.strict for c in configs)
        for config in configs:  # each target is a run of its own; one report at the end
            current = Run(argparse.Namespace(**{**vars(args), "strict": args.strict or config.strict}), config=config)
            code = max(code, COMMANDS[args.command](current))
            run.merge(current, config.target if len(configs) > 1 else "")
        return run.finish(code)
    except KeyboardInterrupt:
        print("convgen: interrupted; the output folder was left as it was", file=sys.stderr)
        return 130
    except Exception as exc:  # our bug: one line, the traceback only with -v
        if getattr(args, "verbose", False):
            raise
        from .crash import describe

        print(describe(exc, current.failed_stage, current.spec), file=sys.stderr)
        return EXIT_INTERNAL


# ---- commands ----------------------------------------------------------------------------
def _config(run: Run) -> Config | None:
    """The one configuration a command runs with: its run's target, or the only one chosen."""
    if run.config is not None:
        return run.config
    configs = _configs(run)
    if configs is None:
        return None
    if len(configs) > 1:
        names = ", ".join(c.target for c in configs)
        _command_line_error(run, f"{run.args.command} takes one target: pick one with --target NAME ({names})")
        return None
    run.args.strict = run.args.strict or configs[0].strict
    return configs[0]


def _configs(run: Run) -> list[Config] | None:
    """The configurations to run with, flags applied: the targets named by --target; without it
    every target of the configuration, unless SPEC or -o describe one build (then the top-level
    keys are its defaults); None after an error."""
    args = run.args
    path = None
    if args.config:
        path = Path(args.config)
    elif not args.no_config:
        beside = Path(args.spec).parent / "convgen.toml" if getattr(args, "spec", None) else None
        path = beside if beside is not None and beside.is_file() else find(Path.cwd())
    config = Config()
    if path is not None:
        config, diags = load_config(path)
        if run.add(diags):
            return None
    names = list(dict.fromkeys(getattr(args, "target", None) or ()))
    known = {t.target: t for t in config.targets}
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            where = f"in {_shown(config.source)}" if config.source is not None else "without a configuration"
            listed = f"its targets: {', '.join(known)}" if known else "it has no [tool.convgen.targets.NAME] tables"
            _command_line_error(run, f"no target {unknown[0]!r} {where} ({listed})")
            return None
        chosen = [known[n] for n in names]
    elif config.targets and not (getattr(args, "spec", None) or getattr(args, "output", None)):
        chosen = list(config.targets)
    else:
        chosen = [config]
    if len(chosen) > 1 and (getattr(args, "package", None) or getattr(args, "output", None)):
        _command_line_error(run, "--package and -o name one client: pick one target with --target NAME")
        return None
    out = [_with_flags(run, c) for c in chosen]
    return None if any(c is None for c in out) else [c for c in out if c is not None]


def _shown(path: Path) -> Path:
    """A path as messages show it: relative to the current folder when it is below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _command_line_error(run: Run, message: str) -> None:
    run.add([Diagnostic("E408", message, file="<command line>", line=1, column=1)])


def _with_flags(run: Run, config: Config) -> Config | None:
    args = run.args
    prefix = getattr(args, "env_prefix", None)
    config = config.with_flags(
        spec=Path(args.spec) if getattr(args, "spec", None) else None,
        tags=tuple(getattr(args, "tag", None) or ()),
        path_prefixes=tuple(getattr(args, "path_prefix", None) or ()),
        package=getattr(args, "package", None),
        output=Path(args.output) if getattr(args, "output", None) else None,
        templates=Path(args.templates) if getattr(args, "templates", None) else None,
        array_format=getattr(args, "array_format", None),
        env_prefix=prefix,
        ref_root=Path(args.ref_root) if getattr(args, "ref_root", None) else None,
    )
    if config.spec is None:
        run.add(
            [
                Diagnostic(
                    "E401",
                    "no spec given: pass SPEC or set `spec` in [tool.convgen]",
                    file="<command line>",
                    line=1,
                    column=1,
                )
            ]
        )
        return None
    return config


def _generate(run: Run) -> tuple[dict[str, str], Path] | int:
    """What build and check share: the rendered files and the output folder, or an exit code."""
    config = _config(run)
    if config is None:
        return EXIT_ERROR
    files = pipeline.rendered(run, config)
    if files is None:
        return EXIT_ERROR if has_errors(run.diags) else EXIT_DIFF
    return files, config.output or Path("generated")


def cmd_build(run: Run) -> int:
    generated = _generate(run)
    if isinstance(generated, int):
        return generated
    files, out = generated
    from .write import ForeignFiles, WriteError, write

    try:
        changed = run.stage("write", lambda: write(files, out))
    except ForeignFiles as exc:
        run.add(_foreign(exc.out, exc.paths))
        return EXIT_ERROR
    except WriteError as exc:
        run.add([Diagnostic("E404", str(exc), file=str(out), line=1, column=1)])
        return EXIT_ERROR
    run.summary = f"convgen: {'wrote' if changed else 'unchanged'} {len(files)} files in {out}"
    return EXIT_OK


def cmd_check(run: Run) -> int:
    generated = _generate(run)
    if isinstance(generated, int):
        return generated
    files, out = generated
    from .write import compare, foreign_files

    foreign = foreign_files(out)
    if foreign:  # `build` would refuse: say so rather than list them as drift it would remove
        run.add(_foreign(out, foreign))
        return EXIT_ERROR
    diffs = run.stage("compare", lambda: compare(files, out))
    if not diffs:
        run.summary = f"convgen: {out} is up to date ({len(files)} files)"
        return EXIT_OK
    for d in diffs:
        print(f"{d.status:>8} {d.path} (+{d.added} -{d.removed})", file=sys.stdout)
        if run.args.diff:
            sys.stdout.write(d.diff)
    run.summary = f"convgen: {out} is stale: {len(diffs)} files differ; run `convgen build` to update"
    return EXIT_DIFF


def _foreign(out: Path, paths: list[str], shown: int = 20) -> list[Diagnostic]:
    """E406 for each file in the output folder that convgen did not write (the first `shown`)."""
    diags = [
        Diagnostic(
            "E406",
            f"{out / p} was not written by convgen: it is kept, and {out} is not replaced while it is there",
            file=str(out / p),
            line=1,
            column=1,
        )
        for p in paths[:shown]
    ]
    if len(paths) > shown:
        diags.append(
            Diagnostic(
                "E406",
                f"and {len(paths) - shown} more files convgen did not write in {out}",
                file=str(out),
                line=1,
                column=1,
            )
        )
    return diags


def cmd_validate(run: Run) -> int:
    config = _config(run)
    if config is None:
        return EXIT_ERROR
    front = pipeline.front(run, config)
    if front is None:
        return EXIT_ERROR
    from .build import build

    ok, table = pipeline.names_table(run, config)
    ok, paging = pipeline.paging_table(run, config) if ok else (False, None)
    if ok:
        _, diags = build(front[0], table, paging)
        run.add(diags + pipeline.unknown_paging(config, front[0], paging))
    return EXIT_OK


def cmd_select(run: Run) -> int:
    from .load import load
    from .select import Selection, select

    config = _config(run)
    if config is None or config.spec is None:
        return EXIT_ERROR
    spec, diags = load(config.spec, config.tags, config.path_prefixes, config.ref_root)
    if run.add(diags) or spec is None:
        return EXIT_ERROR
    run.spec = spec
    section, diags = select(spec.doc, Selection(config.tags, config.path_prefixes))
    if run.add(diags) or section is None:
        return EXIT_ERROR
    text = json.dumps(section.standalone(), indent=1, ensure_ascii=False, default=str) + "\n"
    if run.args.output:
        Path(run.args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_diff(run: Run) -> int:
    """Build the model of both specs with the same selection and compare their public APIs."""
    from .apidiff import diff, report
    from .build import build

    config = _config(run)
    if config is None:
        return EXIT_ERROR
    apis = []
    for spec_path in (run.args.spec, run.args.new_spec):
        front = pipeline.front(run, replace(config, spec=Path(spec_path)))
        section = front[0] if front is not None else None
        if section is None:
            return EXIT_ERROR
        ok, table = pipeline.names_table(run, config)
        ok, paging = pipeline.paging_table(run, config) if ok else (False, None)
        if not ok:
            return EXIT_ERROR
        api, diags = build(section, table, paging)
        if run.add(diags):
            return EXIT_ERROR
        apis.append(api)
    changes = diff(apis[0], apis[1])
    sys.stdout.write(report(changes))
    return EXIT_DIFF if any(c.breaking for c in changes) else EXIT_OK


def cmd_init(run: Run) -> int:
    """A starter convgen.toml and a copy of the built-in templates, refusing to overwrite."""
    from .render import BUILTIN

    args = run.args
    config_path = Path("convgen.toml")
    templates = Path(args.templates or "convgen-templates")
    targets = [config_path] + [templates / p.relative_to(BUILTIN) for p in _template_files()]
    existing = [str(p) for p in targets if p.exists()]
    if existing:
        run.add(
            [
                Diagnostic(
                    "E401",
                    f"refusing to overwrite {existing[0]}: remove it or run init elsewhere",
                    file=existing[0],
                    line=1,
                    column=1,
                )
            ]
        )
        return EXIT_ERROR
    tags = ", ".join(json.dumps(t) for t in (args.tag or []))
    config_path.write_text(
        "# convgen configuration: command-line flags override these. See the README, section Configuration.\n"
        f"spec = {json.dumps(args.spec or 'openapi.yaml')}\n"
        f"tags = [{tags}]\n"
        f"package = {json.dumps(args.package or 'client')}\n"
        f"output = {json.dumps(args.output or 'generated')}\n"
        f"templates = {json.dumps(templates.as_posix())}\n"
        '# array_format = "brackets"  # query arrays; without it, as the spec\'s style/explode say\n'
        f"env_prefix = {json.dumps(env_prefix_of(Config(package=args.package or 'client')))}\n",
        encoding="utf-8",
    )
    for source in _template_files():
        target = templates / source.relative_to(BUILTIN)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    run.summary = (
        f"convgen: wrote {config_path} and {len(targets) - 1} templates in {templates}/"
        " (delete the ones you keep as built)"
    )
    return EXIT_OK


def _template_files() -> list[Path]:
    from .render import BUILTIN

    return sorted(
        p
        for p in BUILTIN.rglob("*")
        if p.is_file()
        and p.suffix in (".jinja", ".py")
        and p.name != "__init__.py"
        or p.parent.name == "runtime"
        and p.name == "__init__.py"
    )


PER_TARGET = ("build", "check", "validate")  # the commands that run once for each target
COMMANDS: dict[str, Callable[[Run], int]] = {
    "build": cmd_build,
    "check": cmd_check,
    "validate": cmd_validate,
    "select": cmd_select,
    "diff": cmd_diff,
    "init": cmd_init,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convgen", description="OpenAPI 3.x -> typed, lossless Python client")
    parser.add_argument("--version", action="version", version=f"convgen {__version__}")
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("spec", nargs="?", help="OpenAPI document (YAML or JSON); default from config")
    common.add_argument(
        "--config",
        help="config file (default: convgen.toml beside SPEC, else the nearest "
        "pyproject.toml with [tool.convgen] or convgen.toml from the current folder up)",
    )
    common.add_argument("--no-config", action="store_true", help="ignore configuration files")
    common.add_argument(
        "--target",
        action="append",
        help="the configured target to run (repeatable); default: build, check and validate run every target",
    )
    common.add_argument("--tag", action="append", help="generate the operations with this tag (repeatable)")
    common.add_argument("--path-prefix", action="append", help="generate the operations under this path (repeatable)")
    common.add_argument("--strict", action="store_true", help="warnings fail the run (exit 1)")
    common.add_argument("--format", choices=("text", "json"), default="text", help="diagnostics format")
    common.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    common.add_argument("-v", "--verbose", action="store_true", help="print info diagnostics and stage timings")
    common.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    common.add_argument(
        "--ref-root", help="folder that files named by relative $refs must be in (default: the spec's folder)"
    )
    gen = argparse.ArgumentParser(add_help=False)
    gen.add_argument("--package", help="package name of the client")
    gen.add_argument("-o", "--output", help="output folder")
    gen.add_argument("--templates", help="folder of template overrides")
    gen.add_argument("--array-format", choices=ARRAY_FORMATS, help="query array encoding")
    gen.add_argument(
        "--env-prefix", help="environment variable prefix (PREFIX_API_KEY, PREFIX_BASE_URL); default: the package name"
    )
    sub.add_parser("build", parents=[common, gen], help="generate the client")
    check = sub.add_parser("check", parents=[common, gen], help="exit 1 if the output is stale")
    check.add_argument("--diff", action="store_true", help="print unified diffs")
    sub.add_parser("validate", parents=[common], help="print diagnostics only")
    sel = sub.add_parser("select", parents=[common], help="write the selected section as a standalone spec")
    sel.add_argument("-o", "--output", help="file to write (default: stdout)")
    dif = sub.add_parser("diff", parents=[common], help="summarise API changes between two specs (exit 1 if breaking)")
    dif.add_argument("new_spec", help="the newer OpenAPI document")
    init = sub.add_parser("init", help="write a starter convgen.toml and a copy of the templates")
    init.add_argument("spec", nargs="?", help="OpenAPI document the config points at")
    init.add_argument("--tag", action="append", help="tag to select (repeatable)")
    init.add_argument("--package", help="package name of the client")
    init.add_argument("-o", "--output", help="output folder")
    init.add_argument("--templates", help="folder for the template copies (default: convgen-templates)")
    init.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    init.add_argument("-v", "--verbose", action="store_true", help="print stage timings")
    init.add_argument("--format", choices=("text", "json"), default="text", help="diagnostics format")
    init.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)
    return parser
