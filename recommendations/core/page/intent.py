"""What a viewer asks of tonight: a time budget and a mood, both optional."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

INTENT_MINUTES = (30, 90, 150)
MOODS = {
    "new": "Something new",
    "finish": "Finish something",
    "favourite": "A favourite again",
}


@dataclass(frozen=True)
class Intent:
    """A time budget in minutes and a mood, both optional.

    Read leniently from a query string: this is a control, not a form, and an unknown
    value simply means "no preference".
    """

    minutes: int | None = None
    mood: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> Intent:
        try:
            minutes = int(data.get("minutes", ""))
        except ValueError:
            minutes = None
        mood = data.get("mood", "")
        return cls(
            minutes=minutes if minutes in INTENT_MINUTES else None,
            mood=mood if mood in MOODS else "",
        )

    @property
    def is_set(self) -> bool:
        return self.minutes is not None or bool(self.mood)

    def query(self) -> str:
        parts = []
        if self.minutes is not None:
            parts.append(f"minutes={self.minutes}")
        if self.mood:
            parts.append(f"mood={self.mood}")
        return "&".join(parts)

    @property
    def cache_key(self) -> str:
        return f"{self.minutes or 0}-{self.mood or 'any'}"
