"""The stages composed for the `convgen` commands (cli.py): a configuration's spec through load ->
select -> validate (`front`), and on to build -> plan -> render -> format (`rendered`, behind the
build cache), each timed as a stage of the command's run; the standard validator beside them in a
child process."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, env_prefix_of
from .diagnostics import Diagnostic, has_errors, has_warnings

if TYPE_CHECKING:
    from .background import Child
    from .cli import Run
    from .ir import Api
    from .opnames import NameTable
    from .paging import PagingTable
    from .select import Section
    from .validate import Pending


def front(
    run: Run, config: Config, *, background: Child | None = None, settle: bool = False
) -> tuple[Section, Pending] | None:
    """load -> select -> validate; None when an error stops the run. With a `background` child,
    the standard validator may still be running there: the caller waits with the returned callable.
    `settle`: the spec's data is frozen once loaded (see `_settled`; the caller unfreezes it)."""
    from .load import load
    from .select import Selection, select

    assert config.spec is not None
    spec_path = config.spec
    spec, diags = run.stage(
        "load",
        lambda: load(spec_path, config.tags, config.path_prefixes, config.ref_root, use_cache=not run.args.no_cache),
    )
    if run.add(diags) or spec is None:
        return None
    if settle:
        _settled()
    run.spec = spec
    selection = Selection(config.tags, config.path_prefixes)
    section, diags = run.stage(
        "select", lambda: select(spec.doc, selection, use_cache=not run.args.no_cache, subtrees=spec.subtrees)
    )
    failed = run.add(diags)
    if section is None:
        return None
    from .validate import validate

    # after a selection error convgen's own rules still run, so that one run reports all it can
    diags, pending = run.stage(
        "validate",
        lambda: validate(section, use_cache=not run.args.no_cache, standard=not failed, background=background),
    )
    if run.add(diags) or failed:
        run.add(pending())
        return None
    return section, pending


def rendered(run: Run, config: Config) -> dict[str, str] | None:
    from . import cache

    assert config.spec is not None
    spec_path = config.spec
    settings = {
        k: getattr(config, k)
        for k in ("tags", "path_prefixes", "package", "array_format", "env_prefix", "env_vars", "version")
    }
    settings["spec_path"] = str(config.spec)  # cached diagnostics name the spec file: a copy elsewhere is another build
    settings["ref_root"] = str(config.ref_root or "")
    if config.names is not None:  # the names table's content, not its path, goes into the key
        settings["names"] = config.names.read_text(encoding="utf-8") if config.names.is_file() else str(config.names)
    if config.pagination is not None:  # likewise the pagination table's
        table = config.pagination
        settings["pagination"] = table.read_text(encoding="utf-8") if table.is_file() else str(table)
    key = (
        None
        if run.args.no_cache
        else run.stage("fingerprint", lambda: cache.fingerprint(spec_path, settings, config.templates))
    )
    hit = run.stage("cache-get", lambda: cache.load(key)) if isinstance(key, str) else None
    if hit is not None:
        run.add(hit[0])
        return None if run.args.strict and has_warnings(run.diags) else hit[1]
    files = _pipeline(run, config)
    if files is not None and isinstance(key, str) and not has_errors(run.diags):
        # a spec split over files: the build also depends on every file its `$ref`s loaded
        depends = [s.path for s in run.spec.sources] if run.spec is not None else []
        run.stage("cache-put", lambda: cache.save(key, run.diags, files, depends))
    return files


def _pipeline(run: Run, config: Config) -> dict[str, str] | None:
    import gc

    thresholds = gc.get_threshold()
    # The stages make their results by the hundred thousand objects and keep them to the end: a
    # young generation collected every 700 allocations walked them again and again (~40 ms of a
    # warm rebuild of the whole OpenAI spec, with no garbage to find); every 100,000 it is not.
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        child = run.stage("imports", _start)
        loaded = front(run, config, background=child, settle=True)
        if loaded is None:
            if child is not None:
                child.cancel()  # load or select failed before validate took it (else a no-op)
            return None
        section, pending = loaded
        try:
            files = _back(run, config, section)
        finally:
            # the standard validator ran beside build, plan, render and format; its findings
            # count before anything is written (they are warnings, which --strict turns fatal)
            run.add(run.stage("validator", pending))
    finally:
        gc.unfreeze()  # (see _settled) collected as usual again: main() may be called again in one process
        gc.set_threshold(*thresholds)
    if run.args.strict and has_warnings(run.diags):
        return None  # --strict: warnings fail the build before anything is written
    return files


def _start() -> Child | None:
    """Fork the validator's child, then load the stages' modules (up front, so that `-v` shows
    their cost apart from the stages' work: about half a second on a busy machine)."""
    from .validate import start_background

    # forked before loading: it imports the standard validator while this process loads
    child = start_background()
    from . import build, format, load, plan, render, select, write  # noqa: F401

    return child


def _settled() -> None:
    """What the stages made so far (the spec's data, the IR) lives until the pipeline ends: moved
    out of the garbage collector's generations, later collections do not go through it again (on a
    3 MB spec they took a tenth of a second of a warm build). `_pipeline` puts it back at its end."""
    import gc

    gc.freeze()


def _back(run: Run, config: Config, section: Section) -> dict[str, str] | None:
    """build -> plan -> render -> format."""
    from .build import build
    from .format import format_files
    from .plan import plan
    from .render import copied, render
    from .views import Job, Options

    ok, table = names_table(run, config)
    ok, paging = paging_table(run, config) if ok else (False, None)
    if not ok:
        return None
    api, diags = run.stage("build", lambda: build(section, table, paging))
    _settled()
    if run.add(diags + unknown_paging(config, section, paging)):
        return None
    prefix = env_prefix_of(config)
    run.add(_unknown_env_vars(config, api))
    options = Options(
        package=config.package,
        version=config.version,
        env_prefix=prefix,
        env_vars=config.env_vars,
        base_url_env=dict(config.env_vars).get("base_url", f"{prefix}_BASE_URL"),
        array_format=config.array_format,
    )
    from .planmemo import PlanMemo

    plan_memo: PlanMemo | None = None

    def planned() -> list[Job]:
        nonlocal plan_memo
        plan_memo = None if run.args.no_cache else PlanMemo(config.package)
        jobs = plan(api, options, plan_memo)
        if plan_memo is not None:
            plan_memo.save()
        return jobs

    jobs = run.stage("plan", planned)
    if config.templates is not None and not config.templates.is_dir():
        run.add(
            [
                Diagnostic(
                    "E401",
                    f"template folder {config.templates} does not exist",
                    file=str(config.templates),
                    line=1,
                    column=1,
                )
            ]
        )
        return None
    from .cache import root

    memo = None if run.args.no_cache else root() / "render"
    known = plan_memo.digests if plan_memo is not None else None
    files, diags = run.stage("render", lambda: render(jobs, config.templates, memo, known))
    if run.add(diags):
        return None
    verbatim = copied(jobs, config.templates)
    files, diags = run.stage(
        "format",
        lambda: format_files(
            files, use_cache=not run.args.no_cache, trusted=config.templates is None, verbatim=verbatim
        ),
    )
    if any(d.code == "E405" for d in diags):  # point at the template line that wrote the invalid code
        from .origin import relocate

        diags = relocate(diags, jobs, config.templates)
    if run.add(diags):
        return None
    return files


def names_table(run: Run, config: Config) -> tuple[bool, NameTable | None]:
    """The configuration's names table (None without one); False when it has errors."""
    if config.names is None:
        return True, None
    from .nametable import load_names

    table, diags = load_names(config.names)
    return not run.add(diags), table


def paging_table(run: Run, config: Config) -> tuple[bool, PagingTable | None]:
    """The configuration's pagination table (None without one); False when it has errors."""
    if config.pagination is None:
        return True, None
    from .paging import load_paging

    table, diags = load_paging(config.pagination)
    return not run.add(diags), table


def unknown_paging(config: Config, section: Section, paging: PagingTable | None) -> list[Diagnostic]:
    """Pagination entries naming no operation (W372): known only when the whole spec is selected."""
    from .paging import unknown_entries

    return [] if config.tags or config.path_prefixes else unknown_entries(paging, section.doc)


def _unknown_env_vars(config: Config, api: Api) -> list[Diagnostic]:
    """`env_vars` may name only arguments the client has: a misspelt one would be ignored."""
    known = {arg for s in api.security_schemes for arg in s.args} | {"base_url"}
    unknown = [arg for arg, _ in config.env_vars if arg not in known]
    if not unknown:
        return []
    source = config.source or Path("<config>")
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    line = next((i for i, row in enumerate(text.splitlines(), 1) if row.lstrip().startswith("env_vars")), 1)
    return [
        Diagnostic(
            "W353",
            f"env_vars names {', '.join(map(repr, unknown))}, which the client does not take "
            f"(it takes {', '.join(sorted(known))})",
            file=str(source),
            line=line,
            column=1,
        )
    ]
