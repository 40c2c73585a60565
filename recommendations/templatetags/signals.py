from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from recommendations.models import HALF_STARS, Thumbs

register = template.Library()


def _stars_label(value: Decimal) -> str:
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


# (value, label, side, noun) per half star, worked out once rather than per card.
_HALF_STAR_BUTTONS = [
    (
        str(value),
        _stars_label(value),
        ("star-left", "star-right")[i % 2],
        "star" if value == 1 else "stars",
    )
    for i, value in enumerate(HALF_STARS)
]


@register.simple_tag
def star_buttons(title: object) -> SafeString:
    """The ten half-star buttons of a rating widget.

    Built here rather than in a template loop: a row of 18 cards has 180 of them, and the
    loop (with its filters) was most of a row fragment's rendering time.
    """
    mine = getattr(title, "my_stars", None)
    slug = escape(getattr(title, "slug", ""))
    parts = []
    for value, label, side, noun in _HALF_STAR_BUTTONS:
        on = mine is not None and mine >= Decimal(value)
        pressed = "true" if mine is not None and mine == Decimal(value) else "false"
        parts.append(
            f'<button type="submit" name="stars" value="{value}" id="rate-{slug}-{value}" '
            f'class="star {side}{" is-on" if on else ""}" aria-pressed="{pressed}" '
            f'title="{label} {noun}"><span class="visually-hidden">Rate {label} stars</span>'
            '<span class="star-glyph" aria-hidden="true">★</span></button>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - only numbers and an escaped slug


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
