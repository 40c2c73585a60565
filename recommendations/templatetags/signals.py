from __future__ import annotations

from decimal import Decimal

from django import template

from recommendations.models import HALF_STARS, Thumbs

register = template.Library()


@register.simple_tag
def half_stars() -> list[Decimal]:
    return HALF_STARS


@register.simple_tag
def thumbs_choices() -> list[tuple[str, int, str]]:
    return [
        ("down", Thumbs.DOWN, Thumbs.DOWN.label),
        ("up", Thumbs.UP, Thumbs.UP.label),
        ("two_up", Thumbs.TWO_UP, Thumbs.TWO_UP.label),
    ]


@register.filter
def duration(seconds: int | None) -> str:
    """1:02:05 or 12:05, like a player shows it."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
