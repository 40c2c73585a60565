"""A value one process keeps for a few seconds in front of the shared cache.

Every page and row fragment asks which model version is active and which catalogue the
arrays were built for. Both change rarely (an activation, a curator's edit), and asking
Redis costs a round trip each time: under load, a wait for redis-server to get a core.
A memo keeps the answer in this process for `seconds`. A change made in this process
sets or clears it at once; another process sees the change up to `seconds` later than
the shared cache alone would tell it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessMemo(Generic[T]):
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entry: tuple[float, T] | None = None
        # Moved by every set and clear: a load that began before one does not store the
        # value it read, which may already be the old one.
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, load: Callable[[], T]) -> T:
        """The remembered value, or `load()`'s, remembered for `seconds`."""
        entry = self._entry
        if entry is not None and self.clock() < entry[0]:
            return entry[1]
        generation = self._generation
        value = load()
        with self._lock:
            if self._generation == generation:
                self._entry = (self.clock() + self.seconds, value)
        return value

    def set(self, value: T) -> None:
        with self._lock:
            self._generation += 1
            self._entry = (self.clock() + self.seconds, value)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entry = None
