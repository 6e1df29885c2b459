"""Diagnostic locations: the regex scan of big YAML mappings finds what the line-by-line scan finds."""

from __future__ import annotations

import json

import yaml
from convgen.locate import Locator, _tokens

from conftest import SPEC


def _pointers(doc: object, prefix: str = "", depth: int = 0) -> list[str]:
    out: list[str] = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for key, value in items:
        ptr = f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"
        out.append(ptr)
        if depth < 3:
            out.extend(_pointers(value, ptr, depth + 1))
    return out


def test_fast_and_line_by_line_scans_agree_on_the_committed_spec() -> None:
    text = SPEC.read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=yaml.CSafeLoader)
    components = doc["components"]["schemas"]
    pointers = [p for p in _pointers(doc) if not p.startswith("/components")][:400]
    pointers += [f"/components/schemas/{name}" for name in list(components)[::7]]
    pointers += _pointers(components["InputItem"], "/components/schemas/InputItem") + ["/nope", "/components/nope/x"]
    fast, slow = Locator(text), Locator(text)
    slow._line_starts = lambda: None  # type: ignore[method-assign]
    found = [fast.locate(p) for p in pointers]
    assert found == [slow.locate(p) for p in pointers]
    assert len(set(found)) > len(pointers) // 2  # they point at different places, not all at (1, 1)


def test_json_pointers_are_located_where_a_yaml_parser_puts_them() -> None:
    """The JSON walk agrees with the composed node tree (the reference) on keys, items and misses."""
    doc = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    text = json.dumps(doc, indent=1, default=str)
    components = doc["components"]["schemas"]
    pointers = [p for p in _pointers(doc) if not p.startswith("/components")][:300]
    pointers += [f"/components/schemas/{name}" for name in list(components)[::5]]
    pointers += _pointers(components["InputItem"], "/components/schemas/InputItem")
    reference = Locator(text)  # not flagged as JSON: the composed tree
    located = Locator(text, is_json=True)  # one locator for all, as a build uses it
    found = [located.locate(p) for p in pointers]
    assert found == [reference._composed(_tokens(p)) for p in pointers]
    assert len(set(found)) > len(pointers) // 2
    # a pointer that goes nowhere is shown at its nearest ancestor's key
    for missing, ancestor in (("/nope", ""), ("/components/nope/x", "/components"),
                              ("/paths/~1conversations/post/nope", "/paths/~1conversations/post")):
        assert located.locate(missing) == (located.locate(ancestor) if ancestor else (1, 1))
