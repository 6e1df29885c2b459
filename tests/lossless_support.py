"""Shared by test_lossless.py and test_roundtrip_property.py (issue 4, lossless models).

* Two tiny feature specs (`ZOO`: tagged unions with and without mapping or discriminator,
  a shared tag, an untagged variant, open enums, defaults, nullable vs optional, a by-kind
  union; `FOREST`: maps, free-form objects, untyped values, recursion through `$ref`,
  `anyOf [X, null]` and `$recursiveRef`), built with the real CLI into a temporary folder
  once per test session and imported from there.
* `EntryPoints`: for each component schema, the Python callable that decodes it, found
  through convgen's IR (`convgen.build.build`): the IR knows which component became a model,
  an enum, a union or an alias, and under which Python name.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from conftest import run_convgen
from convgen import ir
from convgen.build import build
from convgen.load import load
from convgen.naming import snake
from convgen.schemanames import copy_of
from convgen.select import Selection, select

ZOO = """\
openapi: 3.1.0
info: {title: Zoo, version: "1.0"}
paths:
  /animals:
    get:
      operationId: listAnimals
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/AnimalPage"}
    post:
      operationId: createAnimal
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Entry"}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Animal"}
components:
  schemas:
    Size:
      type: string
      enum: [small, large]
    AnimalPage:
      type: object
      required: [data, has_more]
      properties:
        data: {type: array, items: {$ref: "#/components/schemas/Animal"}}
        has_more: {type: boolean}
        shapes: {type: array, items: {$ref: "#/components/schemas/Shape"}}
    Animal:
      description: Told apart by `kind`; the discriminator has no mapping.
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
        - $ref: "#/components/schemas/Fish"
      discriminator: {propertyName: kind}
    Cat:
      type: object
      required: [kind, name, size]
      properties:
        kind: {type: string, enum: [cat]}
        name: {type: string}
        size: {$ref: "#/components/schemas/Size"}
        lives: {type: integer, default: 9}
        nickname:
          anyOf: [{type: string}, {type: "null"}]
    Dog:
      type: object
      required: [kind, name, owner]
      properties:
        kind: {const: dog}
        name: {type: string}
        owner:
          description: Required, may be null.
          type: [string, "null"]
        good: {type: boolean, default: true}
        label:
          oneOf: [{type: string}, {type: array, items: {type: string}}]
    Fish:
      type: object
      required: [kind]
      properties:
        kind: {type: string, enum: [fish, goldfish]}
        fins: {type: integer}
        water: {type: string, enum: [fresh, salt], default: fresh}
    Shape:
      description: No discriminator; the tag property is inferred.
      anyOf:
        - $ref: "#/components/schemas/Circle"
        - $ref: "#/components/schemas/Square"
    Circle:
      type: object
      required: [type, radius]
      properties:
        type: {type: string, enum: [circle]}
        radius: {type: number}
    Square:
      type: object
      required: [type, side]
      properties:
        type: {type: string, enum: [square]}
        side: {type: number}
    Entry:
      description: Two variants share the tag `note`; one has no tag at all.
      oneOf:
        - $ref: "#/components/schemas/Note"
        - $ref: "#/components/schemas/SignedNote"
        - $ref: "#/components/schemas/Reference"
      discriminator: {propertyName: type}
    Note:
      type: object
      required: [text]
      properties:
        type: {type: string, enum: [note]}
        text: {type: string}
    SignedNote:
      type: object
      required: [type, text, author, signed_at]
      properties:
        type: {type: string, enum: [note]}
        text: {type: string}
        author: {type: string, enum: [alice, bob]}
        signed_at: {type: integer}
    Reference:
      type: object
      required: [id]
      properties:
        type:
          anyOf: [{type: string, enum: [reference]}, {type: "null"}]
        id: {type: string}
"""

FOREST = """\
openapi: 3.1.0
info: {title: Forest, version: "1.0"}
paths:
  /trees/{tree_id}:
    get:
      operationId: getTree
      parameters:
        - {name: tree_id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Tree"}
  /filters:
    post:
      operationId: createFilter
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Expr"}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Expr"}
components:
  schemas:
    Unit:
      type: string
      enum: [kg, lb]
    Weight:
      type: object
      required: [value]
      properties:
        value: {type: number}
        unit: {$ref: "#/components/schemas/Unit"}
    Tags:
      anyOf:
        - type: object
          additionalProperties: {type: string}
        - type: "null"
    Tree:
      type: object
      required: [name, parent]
      properties:
        name: {type: string}
        parent:
          anyOf: [{$ref: "#/components/schemas/Tree"}, {type: "null"}]
        children: {type: array, items: {$ref: "#/components/schemas/Tree"}}
        tags: {$ref: "#/components/schemas/Tags"}
        weights:
          type: object
          additionalProperties: {$ref: "#/components/schemas/Weight"}
        meta: {type: object}
        anything: {}
        attrs:
          anyOf:
            - type: object
              additionalProperties:
                oneOf: [{type: string}, {type: number}, {type: boolean}]
            - type: "null"
    Leaf:
      type: object
      required: [op, key]
      properties:
        op: {type: string, enum: [eq, ne]}
        key: {type: string}
        value: {}
    Expr:
      $recursiveAnchor: true
      type: object
      required: [op, args]
      properties:
        op: {type: string, enum: [and, or]}
        args:
          type: array
          items:
            oneOf:
              - $ref: "#/components/schemas/Leaf"
              - $recursiveRef: "#"
            discriminator: {propertyName: op}
"""

FEATURE_SPECS = {"zoo": ZOO, "forest": FOREST}


@dataclass
class Built:
    """A feature spec built with the CLI and imported."""

    name: str
    spec: Path
    doc: dict[str, Any]
    types: ModuleType
    runtime: ModuleType  # the package's own copy of templates/runtime/models.py
    entry: EntryPoints


_BUILT: dict[str, Built] = {}


def build_feature(name: str, base: Path) -> Built:
    """`convgen build SPEC --no-config --package lossless_NAME -o OUT` once per session."""
    if name in _BUILT:
        return _BUILT[name]
    folder = base / name
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / f"{name}.yaml"
    spec.write_text(FEATURE_SPECS[name], encoding="utf-8")
    package = f"lossless_{name}"
    result = run_convgen("build", spec, "--no-config", "--package", package, "-o", folder / "out", cwd=folder)
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(folder / "out"))
    types = importlib.import_module(f"{package}.types")
    runtime = importlib.import_module(f"{package}._runtime.models")
    doc = yaml.safe_load(FEATURE_SPECS[name])
    built = Built(name, spec, doc, types, runtime, EntryPoints(spec, (), types, runtime))
    _BUILT[name] = built
    return built


# ---- from component schema to Python decoder, through the IR --------------------------------
class EntryPoints:
    """Component schema name -> how the generated package decodes and encodes it."""

    def __init__(self, spec: Path, tags: tuple[str, ...], types: ModuleType, runtime: ModuleType) -> None:
        loaded, diags = load(spec, tags, ())
        assert loaded is not None, diags
        section, diags = select(loaded.doc, Selection(tags, ()))
        assert section is not None, diags
        api, _ = build(section)
        self.api = api
        self.defs = api.index()
        self.types = types
        self.r = runtime
        self.by_component: dict[str, ir.Definition] = {}
        self.nullable: set[str] = set()  # `anyOf: [X, null]` components: null is kept at use sites
        for d in api.definitions:
            parts = d.pointer.split("/")
            if parts[:3] != ["", "components", "schemas"]:
                continue
            name = parts[3].replace("~1", "/").replace("~0", "~")
            if len(parts) == 4:
                self.by_component[name] = d
            elif len(parts) == 6 and parts[4] in ("anyOf", "oneOf") and name not in self.by_component:
                self.by_component[name] = d
                self.nullable.add(name)
        self.components = tuple(sorted(r.rsplit("/", 1)[1] for r in section.refs if r.startswith("#/components/schemas/")))
        for name in self.components:  # a numbered copy (`MessagePhase-2`) is its original's type (W363)
            original = copy_of(section.doc, name)
            if name not in self.by_component and original is not None:
                self.by_component[name] = self.by_component[original.rsplit("/", 1)[1]]
                if original.rsplit("/", 1)[1] in self.nullable:
                    self.nullable.add(name)

    def definition(self, component: str) -> ir.Definition | None:
        return self.by_component.get(component)

    def kind(self, component: str) -> str:
        d = self.by_component.get(component)
        return type(d).__name__ if d is not None else "inlined"

    def union_decoder(self, name: str) -> Callable[[Any], Any]:
        base = snake(name) + "_from_dict"
        for candidate in (base, base + "_"):
            fn = getattr(self.types, candidate, None)
            if fn is not None:
                return fn  # type: ignore[no-any-return]
        raise AttributeError(f"no decoder for {name} ({base})")

    def decoder(self, t: ir.TypeRef) -> Callable[[Any], Any]:
        """A decoder for any IR type, composed from the package's own decoders."""
        r = self.r
        if isinstance(t, ir.Prim):
            return {"str": r.string, "int": r.integer, "float": r.number, "bool": r.boolean}[t.kind]  # type: ignore[no-any-return]
        if isinstance(t, ir.AnyType):
            return r.identity  # type: ignore[no-any-return]
        if isinstance(t, ir.Const):
            return r.consts(t.value)  # type: ignore[no-any-return]
        if isinstance(t, ir.ListOf):
            return r.lists(self.decoder(t.item))  # type: ignore[no-any-return]
        if isinstance(t, ir.MapOf):
            return r.maps(self.decoder(t.value))  # type: ignore[no-any-return]
        if isinstance(t, ir.Nullable):
            return r.nullable(self.decoder(t.inner))  # type: ignore[no-any-return]
        d = self.defs[t.name]
        if isinstance(d, ir.Model):
            return getattr(self.types, d.name).from_dict  # type: ignore[no-any-return]
        if isinstance(d, ir.Enum):
            return getattr(self.types, d.name).decode  # type: ignore[no-any-return]
        if isinstance(d, ir.Alias):
            return self.decoder(d.target)
        return self.union_decoder(d.name)

    def for_component(self, component: str) -> Callable[[Any], Any]:
        d = self.by_component[component]
        decode = self.decoder(ir.Ref(d.name))
        return self.r.nullable(decode) if component in self.nullable else decode  # type: ignore[no-any-return]


def canonical(value: Any) -> Any:
    """A form in which `True != 1 != 1.0` and str subclasses (enum members) are plain str,
    so that comparing two canonical forms checks JSON identity, not Python equality."""
    if isinstance(value, dict):
        return ("object", tuple(sorted((str(k), canonical(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(canonical(v) for v in value))
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int):
        return ("integer", value)
    if isinstance(value, float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", str(value))
    if value is None:
        return ("null",)
    return ("not JSON", type(value).__name__, repr(value))
