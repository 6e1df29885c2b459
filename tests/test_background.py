"""The helper process forked for the standard validator (background.py)."""

from __future__ import annotations

from convgen.background import Child


def test_the_child_answers_its_job_and_a_cancelled_one_is_reaped() -> None:
    child = Child.start(())
    assert child is not None
    assert child.submit(sorted, [3, 1, 2])() == [1, 2, 3]
    idle = Child.start(())
    assert idle is not None
    idle.cancel()
    idle.cancel()  # twice: a no-op
