"""The `pagination` table of the configuration: a strategy per operation where the detection
reads none or two (W370), and the diagnostics of entries that cannot apply (W371, W372, E401).

Runs the real CLI on tests/features/pagination.yaml with a convgen.toml beside a copy of it.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

from conftest import ROOT, run_convgen
from paging_server import THINGS, PagingServer

SPEC = ROOT / "tests" / "features" / "pagination.yaml"


def project(tmp_path: Path, table: str) -> Path:
    shutil.copy(SPEC, tmp_path / "pagination.yaml")
    (tmp_path / "pages.toml").write_text(table, encoding="utf-8")
    (tmp_path / "convgen.toml").write_text(
        'spec = "pagination.yaml"\npackage = "paged_logs"\noutput = "out"\npagination = "pages.toml"\n', encoding="utf-8"
    )
    return tmp_path


def test_a_configured_strategy_settles_an_ambiguous_operation(tmp_path: Path) -> None:
    folder = project(tmp_path, '[operations]\nlistLogs = { strategy = "cursor", items = "entries" }\n'
                               '"GET /tags" = "none"\n')
    result = run_convgen("build", "--no-cache", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "W370" not in result.stderr and "W37" not in result.stderr
    logs = (folder / "out" / "paged_logs" / "resources" / "logs.py").read_text(encoding="utf-8")
    assert 'Paging(items="entries", param="cursor", field="next_cursor")' in logs
    assert "-> SyncNextCursorPage[Thing]:" in logs
    tags = (folder / "out" / "paged_logs" / "resources" / "tags.py").read_text(encoding="utf-8")
    assert "-> ListTagsResponse:" in tags and "Paging(" not in tags
    sys.path.insert(0, str(folder / "out"))
    try:
        pkg = importlib.import_module("paged_logs")
        with PagingServer() as server:
            client = pkg.Client(base_url=server.base_url, max_retries=0)
            assert [t.id for t in client.logs.list()] == [t["id"] for t in THINGS]
            assert len(server.requests) == 1  # no next_cursor: one page
    finally:
        sys.path.remove(str(folder / "out"))


def test_entries_that_cannot_apply_are_reported_with_their_line(tmp_path: Path) -> None:
    folder = project(tmp_path, '[operations]\nlistPets = { strategy = "offset" }\n'
                               'listSongs = { strategy = "cursor", field = "nope", param = "limit" }\n'
                               'listNothing = "page"\n')
    result = run_convgen("validate", "pagination.yaml", cwd=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any("warning W371: listPets: pagination 'offset' does not fit: name its query parameter (`param`)" in l
               for l in lines)
    assert any("warning W371: listSongs: pagination 'cursor' does not fit: the response has no field 'nope'" in l
               for l in lines)
    assert any(l.startswith("pages.toml:4:1: warning W372: the pagination table names 'listNothing'") for l in lines)


def test_a_bad_entry_is_an_error_with_its_line(tmp_path: Path) -> None:
    folder = project(tmp_path, '[operations]\nlistPets = "cursor"\nlistSongs = "sideways"\n')
    result = run_convgen("build", cwd=folder)
    assert result.returncode == 2
    assert "pages.toml:3:1: error E401: 'listSongs' needs a strategy: one of none, page, cursor" in result.stderr
    assert not (folder / "out").exists()
