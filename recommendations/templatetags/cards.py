"""`{% load cards %}`: title cards and the widgets and icons they share with the title
page, the rating widget and the player."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils.safestring import SafeString

from config.slug_urls import slug_url
from recommendations import cards
from recommendations.models import HALF_STARS, Thumbs

register = template.Library()


@register.simple_tag
def icon(name: str) -> SafeString:
    """`{% icon "play" %}`: one of the inline SVG icons."""
    return cards.ICONS[name]


_CARD_CONTEXT = object()


def _card_context(context: template.Context) -> cards.CardContext:
    # Once per response: every card of a page shares the token and the way back.
    found = context.render_context.get(_CARD_CONTEXT)
    if found is None:
        found = cards.CardContext.build(
            request=context.get("request"),
            csrf_token=context.get("csrf_token"),
            profile=context.get("current_profile"),
        )
        context.render_context[_CARD_CONTEXT] = found
    return found


@register.simple_tag(takes_context=True)
def title_card(context: template.Context, title: object, row_key: str = "") -> SafeString:
    """`{% title_card title row.key %}`: a card (recommendations/cards.py)."""
    return cards.title_card(title, _card_context(context), row_key=row_key)


@register.simple_tag(takes_context=True)
def list_button(context: template.Context, title: object, wide: bool = False) -> SafeString:
    """`{% list_button title wide=True %}`: the My List toggle of a card or a title page."""
    return cards.list_button(title, _card_context(context), wide=wide)


@register.simple_tag(name="slug_url")
def slug_url_tag(name: str, slug: str) -> str:
    """`{% slug_url 'recommendations:rate' title.slug %}`: `{% url %}`, reversed once."""
    return slug_url(name, slug)


@dataclass(frozen=True)
class HalfStar:
    """One choice of the rating widget's star scale."""

    stars: Decimal
    value: str
    label: str  # as spoken: 4 or 4.5
    noun: str  # star or stars
    side: str  # which half of a glyph it draws


# Worked out once rather than per widget.
_HALF_STARS = [
    HalfStar(
        stars=value,
        value=str(value),
        label=cards.stars_label(value),
        noun="star" if value == 1 else "stars",
        side=("star-left", "star-right")[i % 2],
    )
    for i, value in enumerate(HALF_STARS)
]


@register.simple_tag
def half_stars() -> list[HalfStar]:
    """`{% half_stars as choices %}`: the ten half stars of the rating widget, 0.5 to 5."""
    return _HALF_STARS


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
