"""Models are dataclasses at run time and, to type checkers, plain classes with the same explicit `__init__`
(the runtime's `model` decorator): that spares mypy the dataclass analysis of every model, while a user's
constructor calls are still checked and `dataclasses.fields`, `replace` and `asdict` still take models.

Against the committed Conversations golden; one cold mypy run on a six-line script (~5 s).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from conftest import GENERATED
from openai_conversations import types as t

SCRIPT = """\
import dataclasses
from openai_conversations.types import DeletedConversationResource as Deleted
gone = Deleted(id="conv_1", deleted=True)
names: list[str] = [f.name for f in dataclasses.fields(gone)]
again: Deleted = dataclasses.replace(gone, id="conv_2")
Deleted(id=1, deleted=True)
"""


def test_models_are_dataclasses_at_run_time() -> None:
    gone = t.DeletedConversationResource(id="conv_1", deleted=True)
    assert dataclasses.is_dataclass(gone)
    assert [f.name for f in dataclasses.fields(gone)] == ["object", "deleted", "id", "extra"]
    again = dataclasses.replace(gone, id="conv_2")
    assert again.id == "conv_2" and again.deleted and gone.id == "conv_1"
    assert again == t.DeletedConversationResource.from_dict(again.to_dict())
    assert repr(gone) == "DeletedConversationResource(object='conversation.deleted', deleted=True, id='conv_1')"


def test_type_checkers_check_the_constructor_and_accept_dataclass_functions(tmp_path: Path) -> None:
    script = tmp_path / "use.py"
    script.write_text(SCRIPT)
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
                             str(script)], cwd=GENERATED, capture_output=True, text=True, timeout=300)
    errors = [line.split(": error: ")[1] for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == ['Argument "id" to "DeletedConversationResource" has incompatible type "int"; '
                      'expected "str"  [arg-type]'], result.stdout
    assert "use.py:6:" in result.stdout
