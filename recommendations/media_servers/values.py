"""How the media servers write numbers, ids and times, read the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

TICKS_PER_SECOND = 10_000_000  # Jellyfin and Emby: .NET ticks of 100 ns


def whole(value: object) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def seconds_of_ticks(value: object) -> int | None:
    ticks = whole(value)
    return None if ticks is None or ticks < 0 else ticks // TICKS_PER_SECOND


def seconds_of_millis(value: object) -> int | None:
    millis = whole(value)
    return None if millis is None or millis < 0 else millis // 1000


def imdb_id(value: object) -> str:
    text = str(value or "").strip().lower()
    return text if text.startswith("tt") and text[2:].isdigit() else ""


def moment(value: object) -> datetime | None:
    """An ISO time as .NET prints it (seven digits of fractions, Python reads six); None
    when empty. A time without an offset is the server's UTC. ValueError when garbled."""
    text = str(value or "").strip()
    if not text:
        return None
    head, dot, rest = text.partition(".")
    if dot:
        digits = "".join(c for c in rest[:9] if c.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits) :]}"
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
