"""The whole-spec client's list methods return the page class the official SDK's api.md names.

api.md (spec/openai-python-api/) gives each list call's return as `SyncCursorPage[Item]`,
`SyncConversationCursorPage[Item]`, `SyncNextCursorPage[Item]` or `SyncPage[Item]`; every
other call returns its response model. Compared on the IR of the whole spec built with the
committed pagination table (spec/openai-pagination.toml), which sets what the shapes do not
say (README: Pagination); the detection alone is counted too.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from generator import ir
from generator.build import build
from generator.load import load
from generator.paging import load_paging
from generator.select import Selection, select

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "spec" / "openai-python-api"
_ENTRY = re.compile(r'<code title="(\w+) ([^"]+)">client\.[^<]*<a [^>]*>\w+</a>\([^)]*\) -> <a [^>]*>(\w+)')
DETECTED_ALONE = 39  # api.md entries whose page kind (or none) the detection alone gets wrong: README: Pagination


def sdk_pages() -> dict[tuple[str, str], str]:
    """(METHOD, path) -> the page class of a list call, or "" for a call that returns no page."""
    out = {}
    for md in [API_MD / "api.md", *sorted(API_MD.glob("resources/*/api.md"))]:
        for m in _ENTRY.finditer(md.read_text(encoding="utf-8")):
            returned = m.group(3)
            out[(m.group(1).upper(), m.group(2))] = returned if re.fullmatch(r"Sync\w*Page", returned) else ""
    return out


@cache
def whole_spec(with_table: bool) -> dict[tuple[str, str], str]:
    spec, _ = load(ROOT / "spec" / "openai.yaml")
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    table = None
    if with_table:
        table, diags = load_paging(ROOT / "spec" / "openai-pagination.toml")
        assert diags == [] and table is not None
    api, diags = build(section, None, table)
    assert not [d for d in diags if d.code in ("W370", "W371", "W372")]
    return {(op.http_method, _path(op)): ("Sync" + op.page.page_class if op.page else "") for op in api.operations}


def _path(op: ir.Operation) -> str:
    return op.path.split("?")[0].split("#")[0]


def differences(with_table: bool) -> list[str]:
    ours = whole_spec(with_table)
    return sorted(
        f"{method} {path}: SDK {sdk or 'no page'}, ours {ours.get((method, path)) or 'no page'}"
        for (method, path), sdk in sdk_pages().items()
        if (method, path) in ours and ours[(method, path)] != sdk
    )


def test_every_list_call_returns_the_sdk_s_page_class() -> None:
    assert len([k for k in sdk_pages().values() if k]) == 57
    assert differences(with_table=True) == []


def test_how_many_the_detection_alone_gets_right() -> None:
    assert len(differences(with_table=False)) == DETECTED_ALONE
