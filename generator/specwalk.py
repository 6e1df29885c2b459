"""openapi-spec-validator's walk over paths, operations, parameters and schemas, on plain dicts.

Upstream walks the document through jsonschema-path, which resolves every step of every path
through `referencing` (about a second of CPU on a 3 MB spec, more than the checks it leads
to). This walk visits the same nodes in the same order, follows `$ref`s the same way (a dict
whose `$ref` is a string is its target, siblings ignored) and makes the same checks with
upstream's own code: each schema's meta-schema check (standardmeta.first_meta_error) and each
`default` against its schema (upstream's value validator, at the same path). Findings that
standardcheck.py drops (reported by convgen's own rules) are not produced.

Wherever upstream would fail or behave in a way not reproduced here (a `$ref` that is not a
plain local pointer, a `$ref` cycle, a non-string response code, an unhashable parameter
name, a malformed path template, deep nesting...), the walk raises `Unusual` and the caller
runs upstream's walk instead: the findings are upstream's in every case.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from typing import Any

OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_DEPTH = 40  # deeper nesting is left to upstream (which may give up on recursion)

Parts = tuple[Any, ...]
MetaCheck = Callable[[Any], Any]  # schema value -> error or None
DefaultCheck = Callable[[Parts, Any, Any], Iterator[Any]]  # (schema's path, schema, default) -> errors


class Unusual(Exception):
    """Something this walk does not reproduce exactly: run upstream's walk instead."""


class Walk:
    def __init__(self, doc: dict[str, Any], meta_check: MetaCheck, default_check: DefaultCheck) -> None:
        self._doc = doc
        self._meta_check = meta_check
        self._default_check = default_check
        self._meta_checked: set[int] = set()
        self._visited: set[int] = set()

    def errors(self) -> Iterator[Any]:
        doc = self._doc
        if "tags" in doc:
            raise Unusual  # not in a section convgen validates (select drops it)
        if "paths" in doc:
            paths = self._resolve(doc["paths"])
            for url, item in self._items(paths):
                if not isinstance(url, str):
                    raise Unusual  # upstream asserts it is a string
                yield from self._path(("paths", url), url, self._resolve(item))
        if "components" in doc:
            components = self._resolve(doc["components"])
            if isinstance(components, dict) and "schemas" in components:
                for name, schema in self._items(self._resolve(components["schemas"])):
                    yield from self._schema(("components", "schemas", name), schema, False, 0)

    def _path(self, at: Parts, url: str, item: Any) -> Iterator[Any]:
        if not isinstance(item, dict):
            raise Unusual
        params = None
        if "parameters" in item:
            params = self._resolve(item["parameters"])
            yield from self._parameters((*at, "parameters"), params)
        for method, operation in item.items():
            if not isinstance(method, str):
                raise Unusual  # upstream asserts it is a string
            if method in OPERATIONS:
                yield from self._operation((*at, method), url, self._resolve(operation), params)

    def _operation(self, at: Parts, url: str, operation: Any, path_params: Any) -> Iterator[Any]:
        if not isinstance(operation, dict):
            raise Unusual
        if "responses" in operation:
            for code, response in self._items(self._resolve(operation["responses"])):
                response = self._resolve(response)
                if not isinstance(code, str) or not isinstance(response, dict):
                    raise Unusual  # upstream asserts the code is a string
                if "content" in response:
                    for media, media_type in self._items(self._resolve(response["content"])):
                        media_type = self._resolve(media_type)
                        if not isinstance(media, str) or not isinstance(media_type, dict):
                            raise Unusual
                        if "schema" in media_type:
                            at_schema = (*at, "responses", code, "content", media, "schema")
                            yield from self._schema(at_schema, media_type["schema"], False, 0)
        if "parameters" in operation:
            params = self._resolve(operation["parameters"])
            yield from self._parameters((*at, "parameters"), params)
            self._path_names(params)
        if path_params is not None:
            self._path_names(path_params)
        try:  # upstream parses the template for its own check (reported here by E202/E203)
            list(string.Formatter().parse(url))
        except ValueError as exc:
            raise Unusual from exc

    def _parameters(self, at: Parts, params: Any) -> Iterator[Any]:
        if not isinstance(params, list):
            raise Unusual
        for i, param in enumerate(params):
            param = self._resolve(param)
            if not isinstance(param, dict):
                raise Unusual
            if "schema" in param:
                yield from self._schema((*at, i, "schema"), param["schema"], False, 0)
            # upstream then keys duplicates by (name, in): both must be there and hashable
            if not isinstance(param.get("name"), str) or not isinstance(param.get("in"), str):
                raise Unusual

    def _path_names(self, params: Any) -> None:
        for _, param in self._items(params):
            param = self._resolve(param)
            if not isinstance(param, dict) or not isinstance(param.get("in"), str):
                raise Unusual

    def _schema(self, at: Parts, node: Any, meta_checked: bool, depth: int) -> Iterator[Any]:
        if depth > MAX_DEPTH:
            raise Unusual
        value = self._resolve(node)
        if not isinstance(value, (dict, bool)):
            return  # upstream's "is not of type 'object', 'boolean'": reported by convgen's rules
        if not meta_checked and id(value) not in self._meta_checked:
            self._meta_checked.add(id(value))
            error = self._meta_check(value)
            if error is not None:
                yield error
                return
        if id(value) in self._visited:
            return
        self._visited.add(id(value))
        if isinstance(value, bool):
            return
        if "allOf" in value:
            for i, inner in self._list(value["allOf"]):
                yield from self._schema((*at, "allOf", i), inner, True, depth + 1)
                self._collect(inner, 0)
        for key in ("anyOf", "oneOf"):
            if key in value:
                for i, inner in self._list(value[key]):
                    yield from self._schema((*at, key, i), inner, True, depth + 1)
        for key in ("not", "items"):
            if key in value:
                yield from self._schema((*at, key), value[key], True, depth + 1)
        if "properties" in value:
            properties = self._resolve(value["properties"])
            if not isinstance(properties, dict):
                raise Unusual
            for name, inner in properties.items():
                yield from self._schema((*at, "properties", name), inner, True, depth + 1)
        if "allOf" in value:  # upstream compares `required` with the properties (a finding of convgen's own)
            required = self._resolve(value.get("required"))
            if required and not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
                raise Unusual
        if "default" in value:
            default = self._resolve(value["default"])
            nullable = self._resolve(value["nullable"]) if "nullable" in value else False
            if default is not None or nullable is not True:
                yield from self._default_check(at, value, default)

    def _collect(self, node: Any, depth: int) -> None:
        """Upstream gathers the property names under an `allOf` part (for a check of its own,
        made by convgen's rules): only where that would fail, or recurse without end, is it
        done here, to hand such a spec to upstream."""
        if depth > MAX_DEPTH:
            raise Unusual  # a `$ref` cycle: upstream recurses until Python gives up
        value = self._resolve(node)
        if not isinstance(value, dict):
            return
        if "properties" in value and not isinstance(self._resolve(value["properties"]), (dict, list)):
            raise Unusual
        for key in ("allOf", "anyOf", "oneOf"):
            if key in value:
                for _, inner in self._list(value[key]):
                    self._collect(inner, depth + 1)
        for key in ("items", "not"):
            if key in value:
                self._collect(value[key], depth + 1)

    def _items(self, node: Any) -> Iterator[tuple[Any, Any]]:
        if isinstance(node, dict):
            return iter(list(node.items()))
        if isinstance(node, list):
            return iter(list(enumerate(node)))
        raise Unusual  # upstream: KeyError on a node that cannot be iterated

    def _list(self, node: Any) -> Iterator[tuple[int, Any]]:
        node = self._resolve(node)
        if not isinstance(node, list):
            raise Unusual
        return iter(list(enumerate(node)))

    def _resolve(self, node: Any) -> Any:
        """The node as jsonschema-path reads it: a dict with a string `$ref` is its target."""
        for _ in range(MAX_DEPTH):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            node = self._lookup(node["$ref"])
        raise Unusual  # a cycle of `$ref`s

    def _lookup(self, ref: str) -> Any:
        if not ref.startswith("#/") or "%" in ref:
            raise Unusual  # only plain local pointers are followed here
        node: Any = self._doc
        for raw in ref[2:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and str(int(token)) == token and int(token) < len(node):
                node = node[int(token)]
            else:
                raise Unusual
        return node
