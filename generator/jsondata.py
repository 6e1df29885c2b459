"""JSON's data from YAML's: an OpenAPI document is JSON data, whatever its file's syntax.

Shared by load (the whole document) and the parse cache (each block, before it is kept).
"""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

MAX_DEPTH = 200


def normalize(doc: Any) -> bool:
    """Check the nesting depth and, on the way, make the data JSON's.

    YAML gives what JSON cannot hold: keys that are not strings (`200:`, `true:`), dates,
    binary, sets, pairs. An OpenAPI document is JSON data, so they become what they mean
    there (`"200"`, `"true"`, `"2024-10-01"`, ...), in place.
    """
    return normalized_depth(doc) <= MAX_DEPTH


def normalized_depth(doc: Any) -> int:
    """normalize, returning how deep the containers nest (the outermost is 1; 0 for a single
    value), or MAX_DEPTH + 1 as soon as they nest deeper than that."""
    if type(doc) is not dict and type(doc) is not list:
        return 0  # a file a `$ref` names may hold a single value
    deepest = 1
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            if depth > MAX_DEPTH:
                return depth
            deepest = depth
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:  # replacing the value of an existing key is safe while iterating
            kind = type(value)
            if kind is dict or kind is list:
                if kind is dict and any(type(k) is not str for k in value):
                    value = node[key] = {json_key(k): v for k, v in value.items()}
                stack.append((value, depth + 1))
            elif kind is not str and kind is not int and kind is not float and kind is not bool and value is not None:
                value = node[key] = json_value(value)
                if type(value) is list:
                    stack.append((value, depth + 1))
    return deepest


def json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (bool, int, float)) or key is None:
        return json.dumps(key)
    value = json_value(key)
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def json_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")  # `!!binary`: keep the text as written
    if isinstance(value, (set, frozenset)):
        return sorted(json_key(v) for v in value)
    if isinstance(value, tuple):  # `!!pairs` / `!!omap` give (key, value) tuples
        return list(value)
    return str(value)
