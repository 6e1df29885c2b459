"""The render stage's memo: a job whose template and context are unchanged gets the last build's
text without being rendered again; anything that changes what a template reads renders afresh."""

from __future__ import annotations

import marshal
import shutil
from dataclasses import replace
from pathlib import Path

from conftest import ROOT, planned_jobs, run_convgen
from convgen import journal
from convgen.render import BUILTIN, render
from convgen.views import Job

FEATURE = ROOT / "tests" / "features" / "nested_unions.yaml"
MARK = "# remembered\n"


def _jobs() -> list[Job]:
    return planned_jobs(FEATURE, "pets")


def _mark_remembered(cache: Path) -> None:
    """Append MARK to every remembered text: a job that reads the memo shows it."""
    (memo,) = (cache / "memo").glob("*.marshal")
    header, entries = journal.read(memo)  # (texts by str keys; what templates read by tuple ones)
    memo.write_bytes(marshal.dumps((header, {k: v + MARK if type(k) is str else v for k, v in entries.items()})))
    journal.journal_of(memo).unlink(missing_ok=True)


def _types_job(jobs: list[Job]) -> Job:
    return next(j for j in jobs if j.template == "types_module.py.jinja" and j.context["module"].models)


def test_unchanged_jobs_come_from_the_memo_and_a_changed_one_is_rendered(tmp_path: Path) -> None:
    jobs = _jobs()
    fresh, diags = render(jobs)
    assert not diags
    remembered, _ = render(jobs, None, tmp_path)
    assert remembered == fresh
    _mark_remembered(tmp_path)
    again, _ = render(jobs, None, tmp_path)
    templated = {j.path for j in jobs if j.template}
    assert templated and all(again[p] == fresh[p] + MARK for p in templated)
    assert all(again[j.path] == fresh[j.path] for j in jobs if not j.template)  # runtime copies: read as they are

    changed = _types_job(jobs)
    module = changed.context["module"]
    renamed = replace(module, models=(replace(module.models[0], doc="Another description."),))
    jobs2 = [replace(j, context={**j.context, "module": renamed}) if j is changed else j for j in jobs]
    expected, _ = render(jobs2)
    out, _ = render(jobs2, None, tmp_path)
    assert "Another description." in out[changed.path] and out[changed.path] == expected[changed.path]
    # api.md reads the types modules' index (names, no documentation), and README nothing of them
    assert out["api.md"] == fresh["api.md"] + MARK
    assert out["README.md"] == fresh["README.md"] + MARK


def _jobs_of(tmp_path: Path, text: str, name: str) -> list[Job]:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(text)
    return planned_jobs(spec, "pets")


def test_a_changed_description_leaves_api_md_remembered_and_a_new_field_does_not(tmp_path: Path) -> None:
    text = FEATURE.read_text()
    cache = tmp_path / "cache"
    first = _jobs_of(tmp_path, text, "first")
    fresh, _ = render(first, None, cache)
    _mark_remembered(cache)

    described = text.replace("description: A union that nests", "description: Changed. A union that nests")
    assert described != text
    out, _ = render(_jobs_of(tmp_path, described, "described"), None, cache)
    assert out["api.md"] == fresh["api.md"] + MARK  # it lists names only: its text did not change
    changed = [p for p in out if "Changed. A union that nests" in out[p]]
    assert changed and all(not out[p].endswith(MARK) for p in changed)

    widened = text.replace("radius: {type: number}\n", "radius: {type: number}\n        rim: {type: number}\n", 1)
    assert widened != text
    out, _ = render(_jobs_of(tmp_path, widened, "widened"), None, cache)
    assert not out["api.md"].endswith(MARK) and "radius, rim" in out["api.md"]
    assert out["api.md"] == render(_jobs_of(tmp_path, widened, "fresh"))[0]["api.md"]


def test_a_value_the_template_does_not_read_keeps_the_text(tmp_path: Path) -> None:
    jobs = _jobs()
    render(jobs, None, tmp_path)
    _mark_remembered(tmp_path)
    job = _types_job(jobs)  # types_module.py.jinja reads only `package` and `module`
    api = {**job.context["api"], "title": "Other"}
    out, _ = render([replace(j, context={**j.context, "api": api}) if j is job else j for j in jobs], None, tmp_path)
    assert out[job.path].endswith(MARK)


def test_a_changed_template_renders_everything_afresh(tmp_path: Path) -> None:
    jobs = _jobs()
    templates = tmp_path / "templates"
    templates.mkdir()
    render(jobs, templates, tmp_path / "cache")
    _mark_remembered(tmp_path / "cache")
    shutil.copy(BUILTIN / "api.md.jinja", templates / "api.md.jinja")
    (templates / "api.md.jinja").write_text((BUILTIN / "api.md.jinja").read_text() + "end\n")
    out, _ = render(jobs, templates, tmp_path / "cache")
    fresh, _ = render(jobs, templates)
    assert out == fresh and out["api.md"].endswith("end\n")


def test_an_included_template_sees_the_whole_context(tmp_path: Path) -> None:
    """`{% include %}` passes the whole context on: the includer's text depends on all of it."""
    jobs = _jobs()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "types_module.py.jinja").write_text('{% include "title.jinja" %}\n')
    (templates / "title.jinja").write_text("{{ module.name }}: {{ api.title }}")
    job = _types_job(jobs)
    render([job], templates, tmp_path / "cache")
    _mark_remembered(tmp_path / "cache")
    api = {**job.context["api"], "title": "Other"}
    out, _ = render([replace(job, context={**job.context, "api": api})], templates, tmp_path / "cache")
    assert out[job.path] == f"{job.context['module'].name}: Other"  # trim_blocks ate the newline


def test_an_unusable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    jobs = _jobs()
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    out, diags = render(jobs, None, blocked)
    assert not diags and out == render(jobs)[0]


def test_a_warm_rebuild_after_a_change_equals_a_build_without_cache(tmp_path: Path) -> None:
    spec = tmp_path / "pets.yaml"
    text = FEATURE.read_text()
    spec.write_text(text)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert run_convgen("build", "--no-config", spec, "--package", "pets", "-o", tmp_path / "a", env=env).returncode == 0
    assert list((tmp_path / "cache" / "convgen" / "render" / "memo").iterdir())
    changed = text.replace("description: A union that nests", "description: Changed. A union that nests")
    assert changed != text
    spec.write_text(changed)
    warm = run_convgen("build", "--no-config", spec, "--package", "pets", "-o", tmp_path / "b", env=env)
    cold = run_convgen("build", "--no-config", "--no-cache", spec, "--package", "pets", "-o", tmp_path / "c")
    assert warm.returncode == 0 and cold.returncode == 0, warm.stderr + cold.stderr

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert tree(tmp_path / "b") == tree(tmp_path / "c") != tree(tmp_path / "a")


def test_a_context_value_named_like_a_jinja_global_is_read(tmp_path: Path) -> None:
    """Jinja's analysis leaves globals (`cycler`, `fits`, ...) out; a context value shadows one."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "note.jinja").write_text("{{ cycler }}")
    render([Job("note.txt", "note.jinja", {"cycler": "first"})], templates, tmp_path / "cache")
    _mark_remembered(tmp_path / "cache")
    out, _ = render([Job("note.txt", "note.jinja", {"cycler": "second"})], templates, tmp_path / "cache")
    assert out["note.txt"] == "second"
