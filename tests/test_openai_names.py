"""The whole-spec client offers every call of the official SDK's api.md, named the same.

api.md (spec/openai-python-api/, Apache-2.0) lists each operation as
`<code title="METHOD /path">client.a.b.method(args)</code>`. Compared here with the IR of
the whole spec (the build stage: rendering 1,300 files would add a minute for nothing the
names need): same attribute path, same method name (or an alias), the same positional path
parameter, the other path parameters as keywords of the same names.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path

from generator import ir
from generator.build import build
from generator.load import load
from generator.nametable import load_names
from generator.select import Selection, select

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "spec" / "openai-python-api"
_ENTRY = re.compile(r'<code title="(\w+) ([^"]+)">client\.([\w.]*?)<a [^>]*>(\w+)</a>\(([^)]*)\)')
# operations the README's count of "rules and hints alone" is about (README: Operation names)
RULES_AND_HINTS = 151
WITH_NAMESPACES = 257  # + the table's [groups] and [resources], without its [operations]


def sdk_entries() -> list[tuple[str, str, str, list[str], list[str]]]:
    """(METHOD, path, "a.b.method", positional args, keyword args) of every api.md entry."""
    out = []
    for md in [API_MD / "api.md", *sorted(API_MD.glob("resources/*/api.md"))]:
        for m in _ENTRY.finditer(md.read_text(encoding="utf-8")):
            args = [a.strip() for a in re.sub(r"<[^>]+>", "", m.group(5)).replace("\\", "").split(",") if a.strip()]
            star = args.index("*") if "*" in args else len(args)
            named = [a for a in args if not a.startswith("**")]
            positional = [a for a in named[:star] if a != "*"]
            keywords = [a for a in named[star:] if a != "*"]
            out.append((m.group(1).upper(), m.group(2), m.group(3) + m.group(4), positional, keywords))
    return out


@cache
def whole_spec(with_table: bool, operations: bool = True) -> ir.Api:
    spec, _ = load(ROOT / "spec" / "openai.yaml")
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    table = None
    if with_table:
        table, diags = load_names(ROOT / "spec" / "openai-names.toml")
        assert diags == [] and table is not None
        if not operations:
            table = replace(table, operations={})
    api, diags = build(section, table)
    assert not [d for d in diags if d.code.startswith("E")]
    return api


def _key(method: str, path: str) -> tuple[str, str]:
    return method, re.sub(r"{[^}]*}", "{}", path)


def mismatches(api: ir.Api) -> list[str]:
    ops = {}
    for op in api.operations:
        query = "&".join(f"{k}={v}" for k, v in op.fixed_query)
        ops[_key(op.http_method, op.path + ("?" + query if query else ""))] = op
    out = []
    for method, path, dotted, positional, keywords in sdk_entries():
        op = ops.get(_key(method, path))
        if op is None:
            out.append(f"{method} {path}: no such operation")
            continue
        offered = [".".join((*op.resource, name)) for name in (op.method_name, *op.aliases)]
        if dotted not in offered:
            out.append(f"{method} {path}: client.{dotted} wanted, offered {' / '.join('client.' + o for o in offered)}")
            continue
        ours = [p.attr for p in op.path_params if p.positional]
        path_keywords = [p.attr for p in op.path_params if not p.positional]
        if ours != positional or path_keywords != keywords:
            out.append(f"{method} {path}: arguments ({', '.join(positional + ['*'] + keywords)}) wanted, "
                       f"offered ({', '.join(ours + ['*'] + path_keywords)})")
    return out


def test_api_md_lists_281_operations_in_283_entries():
    entries = sdk_entries()
    assert len(entries) == 283
    assert len({_key(m, p) for m, p, *_ in entries}) == 281


def test_every_sdk_call_is_offered_under_the_same_name():
    assert mismatches(whole_spec(True)) == []


def test_rules_and_hints_alone_name_what_the_readme_says():
    """Without the names table: the count the README reports (update both together)."""
    wrong = mismatches(whole_spec(False))
    assert 281 - len(wrong) == RULES_AND_HINTS, "\n".join(wrong)


def test_namespace_lines_of_the_table_name_what_the_readme_says():
    wrong = mismatches(whole_spec(True, operations=False))
    assert 281 - len(wrong) == WITH_NAMESPACES, "\n".join(wrong)


def test_aliases_and_fixed_query_reach_the_ir():
    ops = {(op.http_method, op.path, op.fixed_query): op for op in whole_spec(True).operations}
    content = ops[("GET", "/files/{file_id}/content", ())]
    assert (content.method_name, content.aliases) == ("content", ("retrieve_content",))
    beta = ops[("GET", "/responses/{response_id}", (("beta", "true"),))]
    assert (beta.resource, beta.method_name) == (("beta", "responses"), "retrieve")
    assert [p.positional for p in beta.path_params] == [True] and "include" in [p.wire for p in beta.query_params]
