"""A lean YAML constructor: plain data straight from libyaml's parser events.

PyYAML's C loader parses in C but composes a node graph and constructs it with the Python
SafeConstructor, which costs about five times the parsing itself on a 3 MB spec. An OpenAPI
document needs only mappings, sequences and scalars, so this builds them from the events in one
loop, resolving plain scalars with PyYAML's own resolver and constructors (the same YAML 1.1
meanings: `yes` is true, `0o17` an int, `2024-01-01` a date), memoized per distinct text.

It declines (returns DECLINED) whatever it does not handle exactly as the SafeLoader would:
anchors and aliases, explicit tags, merge keys, keys that are collections, several documents,
an empty stream, and any error of the parser. The caller then loads the text the usual way,
which keeps every protection and every message of that path.
"""

from __future__ import annotations

from typing import Any

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DECLINED: Any = object()  # not a value YAML can produce
_STR = "tag:yaml.org,2002:str"
_SIMPLE = {  # the scalar tags plain text may resolve to, and the SafeConstructor methods for them
    "tag:yaml.org,2002:null": yaml.SafeLoader.construct_yaml_null,
    "tag:yaml.org,2002:bool": yaml.SafeLoader.construct_yaml_bool,
    "tag:yaml.org,2002:int": yaml.SafeLoader.construct_yaml_int,
    "tag:yaml.org,2002:float": yaml.SafeLoader.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": yaml.SafeLoader.construct_yaml_timestamp,
}
_MEMO_LIMIT = 64  # plain scalars up to this length are resolved once per distinct text
_MEMO_SIZE = 100_000  # and at most this many of them are remembered


class _Decline(Exception):
    pass


class _Plain:
    """Resolves plain scalars as the SafeLoader does, memoized (the values are immutable)."""

    def __init__(self) -> None:
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self.firsts = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
        self.memo: dict[str, Any] = {}

    def value(self, text: str) -> Any:
        if text and text[0] not in self.firsts:
            return text  # no implicit type starts with this character: a string
        if len(text) <= _MEMO_LIMIT:
            found = self.memo.get(text, DECLINED)
            if found is not DECLINED:
                return found
        tag = self.resolver.resolve(yaml.ScalarNode, text, (True, False))
        if tag == _STR:
            value: Any = text
        elif tag in _SIMPLE:
            value = _SIMPLE[tag](self.constructor, yaml.ScalarNode(tag, text))
        else:
            raise _Decline  # merge keys, `=`, reserved indicators: the SafeLoader decides
        if len(text) <= _MEMO_LIMIT and len(self.memo) < _MEMO_SIZE:
            self.memo[text] = value
        return value


def load(text: str) -> Any:
    """The document's data, or DECLINED (then load it with the SafeLoader)."""
    global _plain
    parser = _SafeLoader(text)
    plain = _plain = _plain or _Plain()  # one for the process: the many small files of a split spec
    try:
        return _build(parser, plain)
    except (_Decline, yaml.YAMLError, ValueError, TypeError, RecursionError):
        return DECLINED
    finally:
        parser.dispose()


_plain: _Plain | None = None


def _build(parser: Any, plain: _Plain) -> Any:
    scalar_event, start_map, start_seq = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    get = parser.get_event
    if not isinstance(get(), yaml.StreamStartEvent) or not isinstance(get(), yaml.DocumentStartEvent):
        raise _Decline  # an empty stream: the SafeLoader says what it is
    # the open collections; for a mapping, the key waiting for its value (DECLINED: none)
    stack: list[tuple[Any, Any]] = []
    root: Any = DECLINED
    while True:
        event = get()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or event.tag is not None:
                raise _Decline
            value: Any = plain.value(event.value) if event.implicit[0] else event.value
        elif kind is start_map or kind is start_seq:
            if event.anchor is not None or event.tag is not None:
                raise _Decline
            value = {} if kind is start_map else []
        elif kind in end_events:
            stack.pop()
            continue
        elif kind is yaml.DocumentEndEvent:
            break
        else:
            raise _Decline  # an alias
        if not stack:
            root = value
        else:
            parent, key = stack[-1]
            if type(parent) is list:
                parent.append(value)
            elif key is DECLINED:
                if type(value) is dict or type(value) is list:
                    raise _Decline  # a collection as key: unhashable (merge keys declined when resolved)
                stack[-1] = (parent, value)
            else:
                parent[key] = value
                stack[-1] = (parent, DECLINED)
        if type(value) is dict or type(value) is list:
            stack.append((value, DECLINED))
    if not isinstance(get(), yaml.StreamEndEvent):
        raise _Decline  # several documents: the SafeLoader's error
    return root
