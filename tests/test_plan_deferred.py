"""A types module's view read back from the plan memo is made when one of its fields is first read
(planmemo's deferred views): until then nothing of it is decoded, and then it is the view it was
in every way a template or a test can tell (fields, equality, hash, repr, pickle, replace)."""

from __future__ import annotations

import dataclasses
import pickle

from convgen.planmemo import PlanMemo, pending
from convgen.views import AliasView, IndexEntryView, TypesIndexView, TypesModuleView

VIEW = TypesModuleView(
    name="things",
    imports=((".other", ("Other",)),),
    typing=("Literal",),
    runtime=("model",),
    aliases=(AliasView("Ids", "A list of ids.", "list[str]", ("list[str]",)),),
    enums=(),
    models=(),
    tagged=(),
    kinds=(),
    names=("Ids",),
)


def _read_back() -> tuple[PlanMemo, TypesModuleView]:
    memo = PlanMemo("things", persist=False)
    memo.put(b"k" * 24, VIEW)
    view = memo.get(b"k" * 24)
    assert isinstance(view, TypesModuleView)
    return memo, view


def test_a_read_back_module_is_made_when_a_field_is_first_read() -> None:
    _, view = _read_back()
    assert pending(view) and view.name == "things" and view.names == ("Ids",)  # plain fields: at once
    assert pending(view)
    assert view.aliases == VIEW.aliases and not pending(view)
    assert view == VIEW and VIEW == view and hash(view) == hash(VIEW) and repr(view) == repr(VIEW)


def test_a_read_back_module_behaves_as_the_view() -> None:
    for read in (
        lambda v: v == VIEW,
        lambda v: pickle.loads(pickle.dumps(v)) == VIEW,
        lambda v: dataclasses.replace(v, names=()) == dataclasses.replace(VIEW, names=()),
        lambda v: dataclasses.astuple(v) == dataclasses.astuple(VIEW),
    ):
        _, view = _read_back()
        assert read(view)
    _, view = _read_back()
    assert type(pickle.loads(pickle.dumps(view))) is TypesModuleView
    assert view != dataclasses.replace(VIEW, typing=())


def test_a_derived_view_waits_for_its_source_and_is_known_by_its_content() -> None:
    made: list[int] = []

    def index(source: TypesModuleView) -> TypesIndexView:
        made.append(1)
        return TypesIndexView((), (), (), (), tuple(IndexEntryView(a.name, a.value) for a in source.aliases))

    memo, view = _read_back()
    first = memo.derive(view, b"index", TypesIndexView, lambda: index(view))
    assert made == [1]  # nothing remembered for it yet: made at once
    digest = memo.digests[id(first)][1]

    memo.old = {("derived", key): digest for key, digest in memo.derived.items()}  # as read back next build
    _, again = _read_back()
    memo.digests[id(again)] = (again, memo.digests[id(view)][1])
    second = memo.derive(again, b"index", TypesIndexView, lambda: index(again))
    assert made == [1] and pending(second) and pending(again)  # remembered: neither is read back
    assert memo.digests[id(second)][1] == digest
    assert second == first and made == [1, 1] and not pending(again)
