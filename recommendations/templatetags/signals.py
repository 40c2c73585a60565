from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from config.slug_urls import slug_url
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


# Inline SVG icons (their path data), so nothing depends on emoji fonts; a tag rather
# than an include, as a row of cards draws dozens of them.
_ICON_PATHS = {
    "play": "M7 4.5v15l13-7.5z",
    "plus": "M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z",
    "check": "M9.5 16.2 5.3 12l-1.4 1.4 5.6 5.6L20.1 8.4 18.7 7z",
    "hide": (
        "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 2a7 7 0 0 1 5.6 11.2L7.8 6.4A7 7 0 0 1 12 "
        "5zm-5.6 2.8 9.8 9.8A7 7 0 0 1 6.4 7.8z"
    ),
    "thumb-up": (
        "M2 21h4V9H2zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6V3a1.5 1.5 0 0 0-.5-1L13.2 1 6.6 "
        "7.6A2 2 0 0 0 6 9v10a2 2 0 0 0 2 2h9a2 2 0 0 0 1.8-1.2l3-7.1a2 2 0 0 0 .2-.7z"
    ),
    "thumb-down": (
        "M22 3h-4v12h4zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6V21a1.5 1.5 0 0 0 .5 1l1 1 6.6-6.6A2 "
        "2 0 0 0 18 15V5a2 2 0 0 0-2-2H7a2 2 0 0 0-1.8 1.2l-3 7.1a2 2 0 0 0-.2.7z"
    ),
}


@register.simple_tag
def icon(name: str) -> SafeString:
    """`{% icon "play" %}`: one of the inline SVG icons."""
    return mark_safe(  # noqa: S308 - constant markup
        '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true">'
        f'<path d="{_ICON_PATHS[name]}" fill="currentColor"/></svg>'
    )


@register.simple_tag(name="slug_url")
def slug_url_tag(name: str, slug: str) -> str:
    """`{% slug_url 'recommendations:rate' title.slug %}`: `{% url %}`, reversed once."""
    return slug_url(name, slug)


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
