"""Title cards and their widgets, drawn in Python.

A home page shows about two hundred cards. As a template (its includes, tags and
filters) a card cost 0.3 ms, the largest part of a row fragment's time; built here it is
a few string joins. These functions are the card's only definition: every page of cards
and the HTMX responses that re-draw a card's My List button go through them (the
`title_card` and `list_button` template tags).

Every value taken from a title or a request is escaped with `html.escape`; the rest is
constant markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.http import HttpRequest

from config.slug_urls import slug_url
from recommendations.models import HALF_STARS, Thumbs

# Inline SVG icons (their path data), so nothing depends on emoji fonts.
ICON_PATHS = {
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
ICONS = {
    name: '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true">'
    f'<path d="{path}" fill="currentColor"/></svg>'
    for name, path in ICON_PATHS.items()
}


def stars_label(value: Decimal) -> str:
    """4 or 4.5, as a rating is spoken."""
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


# (value, label, side, noun) per half star, worked out once rather than per card.
_HALF_STARS = [
    (
        str(value),
        stars_label(value),
        ("star-left", "star-right")[i % 2],
        "star" if value == 1 else "stars",
    )
    for i, value in enumerate(HALF_STARS)
]


def star_buttons(title: object) -> str:
    """The rating's ten half stars: one radio group, so one Tab stop; arrows change it."""
    mine = getattr(title, "my_stars", None)
    slug = escape(getattr(title, "slug", ""))
    parts = []
    for value, label, side, noun in _HALF_STARS:
        checked = " checked" if mine is not None and mine == Decimal(value) else ""
        at = f"rate-{slug}-{value}"
        parts.append(
            f'<input type="radio" class="star-input" name="stars" value="{value}" id="{at}"'
            f"{checked}>"
            f'<label for="{at}" class="star {side}" title="{label} {noun}">'
            f'<span class="visually-hidden">{label} {noun}</span>'
            '<span class="star-glyph" aria-hidden="true">★</span></label>'
        )
    return "".join(parts)


@dataclass(frozen=True)
class CardContext:
    """What every card of one response shares: worked out once per response."""

    # The hidden inputs every card form carries: the CSRF token (a form posted without
    # JS needs it; HTMX sends the header from <body>) and where to come back to.
    hidden_inputs: str
    # Actions (play, list, hide, rate, why) are drawn only for a viewing profile.
    with_actions: bool

    @classmethod
    def build(
        cls, *, request: HttpRequest | None, csrf_token: object, profile: object
    ) -> CardContext:
        inputs = ""
        token = str(csrf_token) if csrf_token else ""
        if token and token != "NOTPROVIDED":
            inputs = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
        if request is not None:
            inputs += f'<input type="hidden" name="next" value="{escape(request.get_full_path())}">'
        return cls(hidden_inputs=inputs, with_actions=profile is not None)


def duration(minutes: float) -> str:
    """52 min, 1 h 52 min, 2 h."""
    minutes = max(round(minutes), 1)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _runtime(title: object, percent: object, completed: object) -> str:
    """What a card says of a title's length: what is left of a film under way."""
    minutes = getattr(title, "runtime_minutes", None)
    if not minutes:
        return ""
    if title.kind == "series":
        return f"{minutes}-min episodes"
    if percent and not completed:
        left = minutes * (1 - float(percent) / 100)
        return f"{duration(left)} left"
    return duration(minutes)


def _percent(value: object) -> str:
    return str(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _post_form(url: str, ctx: CardContext, hx: str, body: str) -> str:
    url = escape(url)
    return (
        f'<form class="inline-form" method="post" action="{url}" hx-post="{url}" {hx}>'
        f"{ctx.hidden_inputs}{body}</form>"
    )


def list_button(title: object, ctx: CardContext, *, wide: bool = False) -> str:
    """Add to / remove from My List, swapped in place."""
    label = "" if wide else "visually-hidden"
    if getattr(title, "in_my_list", False):
        body = (
            '<input type="hidden" name="action" value="remove">'
            '<button type="submit" class="icon-button is-on" aria-pressed="true" '
            f'title="Remove from My List">{ICONS["check"]}'
            f'<span class="{label}">My List</span></button>'
        )
    else:
        body = (
            '<input type="hidden" name="action" value="add">'
            '<button type="submit" class="icon-button" aria-pressed="false" '
            f'title="Add to My List">{ICONS["plus"]}'
            f'<span class="{label}">My List</span></button>'
        )
    url = slug_url("recommendations:list_toggle", title.slug)
    return _post_form(url, ctx, 'hx-target="this" hx-swap="outerHTML"', body)


def _your_rating(title: object) -> str:
    """The profile's rating, shown on the card (the control is under More)."""
    mine = getattr(title, "my_stars", None)
    thumbs = getattr(title, "my_thumbs", None)
    if mine:
        label = stars_label(Decimal(mine))
        return (
            f'<span class="stars-peek" data-stars="{label}" aria-hidden="true"></span>'
            f'<span class="visually-hidden">You rated it {label} stars</span>'
        )
    if thumbs:
        icons = (
            ICONS["thumb-down"]
            if thumbs < 0
            else ICONS["thumb-up"] * (2 if thumbs == Thumbs.TWO_UP else 1)
        )
        words = {-1: "thumbs down", 1: "thumbs up"}.get(thumbs, "two thumbs up")
        return (
            f'<span class="thumbs-peek" aria-hidden="true">{icons}</span>'
            f'<span class="visually-hidden">You gave it {words}</span>'
        )
    return ""


def _rating_loader(title: object, name: str, slug: str) -> str:
    # The widget is fetched when More is opened: drawn on every card it was half of a
    # row's markup. Without JS the link opens the title page at its widget.
    rate_url = escape(slug_url("recommendations:rate", title.slug))
    page_url = escape(title.get_absolute_url())
    return (
        f'<a class="rating-load" id="rating-{slug}" href="{page_url}#your-rating" '
        f'hx-get="{rate_url}" hx-trigger="toggle once from:closest details" '
        f'hx-swap="outerHTML">Rate {name}</a>'
    )


def _evidence(title: object, ctx: CardContext) -> str:
    reasons = getattr(title, "evidence", None)
    if not reasons:
        return ""
    items = []
    for reason in reasons:
        strike = ""
        if reason.strikable:
            other = escape(reason.title_name)
            strike = " " + _post_form(
                slug_url("recommendations:taste_exclusion", reason.title_slug),
                ctx,
                'hx-swap="none"',
                '<input type="hidden" name="excluded" value="on">'
                f'<button type="submit" class="link-button strike" '
                f'title="Don’t use {other} for my recommendations">Don’t use {other}</button>',
            )
        items.append(f"<li>{escape(reason.text)}{strike}</li>")
    return f'<p class="why-heading">Why this?</p><ul class="why">{"".join(items)}</ul>'


def _actions(title: object, name: str, slug: str, ctx: CardContext, row_key: str) -> str:
    started = getattr(title, "progress_percent", None) and not getattr(
        title, "progress_completed", None
    )
    # A series under way plays its next episode: "Play S1:E2".
    verb = getattr(title, "resume_label", None) or ("Resume" if started else "Play")
    play = escape(slug_url("recommendations:player", title.slug))
    if row_key == "continue":
        hide = _post_form(
            slug_url("recommendations:continue_remove", title.slug),
            ctx,
            'hx-target="closest .card" hx-swap="outerHTML"',
            f'<button type="submit" class="link-button">{ICONS["hide"]} Remove from row'
            f'<span class="visually-hidden"> Continue watching: {name}</span>'
            '</button><span class="more-note">Your progress is kept.</span>',
        )
    else:
        hide = _post_form(
            slug_url("recommendations:not_interested", title.slug),
            ctx,
            'hx-target="closest .card" hx-swap="outerHTML"',
            f'<button type="submit" class="link-button">{ICONS["hide"]} Not interested'
            f'<span class="visually-hidden"> in {name}</span></button>',
        )
    more = (
        '<details class="card-more"><summary class="icon-button" title="More">'
        '<span aria-hidden="true">⋯</span>'
        f'<span class="visually-hidden">More about {name}: rate, why this, hide</span>'
        f'</summary><div class="card-more-panel">{_rating_loader(title, name, slug)}'
        f"{_evidence(title, ctx)}{hide}</div></details>"
    )
    return (
        f'<div class="card-actions"><a class="icon-button" href="{play}" title="{escape(verb)}">'
        f'{ICONS["play"]}<span class="visually-hidden">{escape(verb)}: {name}</span></a>'
        f"{list_button(title, ctx)}{more}{_your_rating(title)}</div>"
    )


def title_card(title: object, ctx: CardContext, *, row_key: str = "") -> str:
    """One card: poster, name, match, year; with a profile, its actions and evidence."""
    name = escape(title.name)
    slug = escape(title.slug)
    rank = getattr(title, "rank", None)
    percent = getattr(title, "progress_percent", None)
    completed = getattr(title, "progress_completed", None)
    parts = [f'<article class="card{" card-ranked" if rank else ""}">']
    if rank:
        parts.append(
            f'<span class="rank" aria-hidden="true">{rank}</span>'
            f'<span class="visually-hidden">Number {rank} today:</span>'
        )
    parts.append(
        f'<a class="card-link" href="{escape(title.get_absolute_url())}"><span class="card-poster">'
        f'<img class="poster" src="{escape(title.poster_url)}" alt="" loading="lazy" '
        'width="300" height="450">'
    )
    if percent and not completed:
        shown = _percent(percent)
        parts.append(
            f'<span class="progress" role="img" aria-label="{shown}% watched">'
            # An SVG's width attribute, not a style attribute: the CSP refuses those.
            '<svg viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true">'
            f'<rect width="{shown}" height="1"/></svg></span>'
        )
    parts.append(f'</span><span class="card-name">{name}</span>')
    match = getattr(title, "match", None)
    if match is not None:
        stars = getattr(title, "predicted_stars", None)
        stars = "" if stars is None else f"{stars:.1f}"
        parts.append(
            f'<span class="card-meta"><span class="match">{match}% match</span> · '
            f'<span class="predicted" aria-label="you’d rate it about {stars} stars">'
            f"★{stars}</span></span>"
        )
    facts = [str(title.year)] if title.year is not None else []
    runtime = _runtime(title, percent, completed)
    if runtime:
        facts.append(runtime)
    elif title.kind == "series":
        facts.append("Series")
    if completed:
        facts.append("Watched")
    parts.append(f'<span class="card-meta">{" · ".join(facts)}</span></a>')
    if ctx.with_actions:
        parts.append(_actions(title, name, slug, ctx, row_key))
    parts.append("</article>")
    return "".join(parts)
