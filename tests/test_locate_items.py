"""Keys inside `- key: value` sequence items of block YAML are found by the indentation scan,
where the composed node tree (the reference, which costs seconds on a 3 MB spec) puts them."""

from __future__ import annotations

from typing import Any

import yaml
from convgen.locate import Locator, _tokens

from conftest import SPEC


def _under_items(doc: Any, prefix: str, in_item: bool = False) -> list[str]:
    """Pointers to keys and items below a sequence item (deep ones included)."""
    out: list[str] = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for key, value in items:
        ptr = f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if in_item:
            out.append(ptr)
        out.extend(_under_items(value, ptr, in_item or isinstance(doc, list)))
    return out


def test_keys_of_mapping_items_are_located_without_the_node_tree() -> None:
    text = SPEC.read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=yaml.CSafeLoader)
    schemas = doc["components"]["schemas"]
    names = [
        "CreateModerationRequest",
        "FineTuneDPOHyperparameters",
        "ResponsePromptVariables",
        "AssistantObject",
        "BetaResponsesWebSocketStreamEvent",
    ]  # the last: `- anyOf:`, a key on the dash line with items below
    pointers = [p for name in names for p in _under_items(schemas[name], f"/components/schemas/{name}")]
    assert len(pointers) > 50
    locator = Locator(text)
    found = {p: locator._block(_tokens(p)) for p in pointers}
    assert [p for p, hit in found.items() if hit is None] == []
    assert found == {p: locator._composed(_tokens(p)) for p in pointers}
