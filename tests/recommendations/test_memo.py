"""A process's memo in front of the shared cache: kept for its seconds, set and cleared."""

from __future__ import annotations

from recommendations.memo import ProcessMemo


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _memo(clock: Clock) -> ProcessMemo[int]:
    return ProcessMemo(5, clock=clock)


def test_it_loads_once_within_its_seconds() -> None:
    clock = Clock()
    memo = _memo(clock)
    loads = iter([1, 2])
    assert memo.get(lambda: next(loads)) == 1
    clock.now += 4.9
    assert memo.get(lambda: next(loads)) == 1
    clock.now += 0.2
    assert memo.get(lambda: next(loads)) == 2


def test_a_set_value_is_remembered_without_loading() -> None:
    memo = _memo(Clock())
    memo.set(7)
    assert memo.get(lambda: 1 / 0) == 7


def test_a_cleared_memo_loads_again_at_once() -> None:
    memo = _memo(Clock())
    assert memo.get(lambda: 1) == 1
    memo.clear()
    assert memo.get(lambda: 2) == 2


def test_a_load_overtaken_by_a_clear_is_not_remembered() -> None:
    # Another thread cleared the memo (a change in this process) while this load was
    # reading what may be the old value: the next call must load again.
    memo = _memo(Clock())

    def load_while_cleared() -> int:
        memo.clear()
        return 1

    assert memo.get(load_while_cleared) == 1
    assert memo.get(lambda: 2) == 2


def test_none_is_a_value_it_remembers() -> None:
    # "No active model" is an answer too: it is not asked again on every request.
    memo: ProcessMemo[int | None] = ProcessMemo(5, clock=Clock())
    loads = iter([None, 3])
    assert memo.get(lambda: next(loads)) is None
    assert memo.get(lambda: next(loads)) is None
