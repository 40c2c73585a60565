"""Title cards and their My List toggle, drawn with `format_html`'s rule.

A home page shows about two hundred cards. Drawn from one template a card cost six to
seven times the hand-escaped f-strings it was before, and drawn with `format_html` two to
two and a half times (docs/benchmarks.md, "Cards: one template or `format_html`"). So
the card's markup is the format strings below, and every value put into them is escaped
as `format_html` and a template would (`_format`). These functions are the card's only
definition:
every page of cards and the responses that re-draw a card or its My List toggle go
through them (the `title_card` and `list_button` tags of `{% load cards %}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from config.slug_urls import slug_url
from recommendations.models import Thumbs


def _escaped(value: object) -> str:
    # Django's conditional_escape, less the lazy-string wrapper around its escape(), which
    # was a third of a card's time: markup passes as it is, anything else is escaped.
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _format(template: str, /, *args: object, **kwargs: object) -> SafeString:
    """`format_html`: the template is trusted markup, every value is escaped."""
    return SafeString(
        template.format(
            *[_escaped(arg) for arg in args], **{k: _escaped(v) for k, v in kwargs.items()}
        )
    )


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
    name: _format(
        '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true">'
        '<path d="{}" fill="currentColor"/></svg>',
        path,
    )
    for name, path in ICON_PATHS.items()
}


def stars_label(value: Decimal) -> str:
    """4 or 4.5, as a rating is spoken."""
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


@dataclass(frozen=True)
class CardContext:
    """What every card of one response shares: worked out once per response."""

    # The hidden inputs every card form carries: the CSRF token (a form posted without
    # JS needs it; HTMX sends the header from <body>) and where to come back to.
    hidden_inputs: SafeString
    # Actions (play, list, hide, rate, why) are drawn only for a viewing profile.
    with_actions: bool

    @classmethod
    def build(
        cls, *, request: HttpRequest | None, csrf_token: object, profile: object
    ) -> CardContext:
        inputs = SafeString()
        token = str(csrf_token) if csrf_token else ""
        if token and token != "NOTPROVIDED":
            inputs = _format('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if request is not None:
            inputs += _format(
                '<input type="hidden" name="next" value="{}">', request.get_full_path()
            )
        return cls(hidden_inputs=inputs, with_actions=profile is not None)


def duration(minutes: float) -> str:
    """52 min, 1 h 52 min, 2 h."""
    minutes = max(round(minutes), 1)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _facts(title: object, under_way: bool, completed: object) -> str:
    """A card's meta line: the year, the length (what is left of a film under way)."""
    facts = [str(title.year)] if title.year is not None else []
    minutes = getattr(title, "runtime_minutes", None)
    if title.kind == "series":
        facts.append(f"{minutes}-min episodes" if minutes else "Series")
    elif minutes and under_way:
        facts.append(f"{duration(minutes * (1 - float(title.progress_percent) / 100))} left")
    elif minutes:
        facts.append(duration(minutes))
    if completed:
        facts.append("Watched")
    return " · ".join(facts)


def _percent(value: object) -> str:
    return str(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# The card's markup: format strings, composed here once from named pieces and filled by
# one `_format` call per card (one per piece cost 15% more: each call has a cost of
# its own besides escaping).
# `{inputs}` are the CardContext's hidden inputs, in every form.

# Add to / remove from My List, swapped in place.
_LIST_FORM = (
    '<form class="inline-form" method="post" action="{list_url}" hx-post="{list_url}" '
    'hx-target="this" hx-swap="outerHTML">{inputs}{wide}{list_state}'
    '<span class="{list_label}">My List</span></button></form>'
)
_WIDE_INPUT = _format('<input type="hidden" name="wide" value="{}">', 1)
_LIST_STATES = {
    True: _format(
        '<input type="hidden" name="action" value="remove">'
        '<button type="submit" class="icon-button is-on" aria-pressed="true" '
        'title="Remove from My List">{}',
        ICONS["check"],
    ),
    False: _format(
        '<input type="hidden" name="action" value="add">'
        '<button type="submit" class="icon-button" aria-pressed="false" '
        'title="Add to My List">{}',
        ICONS["plus"],
    ),
}
# Not interested; on Continue watching, leave the row (the progress is kept).
_HIDE_FORM_OPEN = (
    '<form class="inline-form" method="post" action="{hide_url}" hx-post="{hide_url}" '
    'hx-target="closest .card" hx-swap="outerHTML">{inputs}'
    '<button type="submit" class="link-button">{hide_icon}'
)
_HIDE_FORMS = {
    False: _HIDE_FORM_OPEN + ' Not interested<span class="visually-hidden"> in {name}</span>'
    "</button></form>",
    True: _HIDE_FORM_OPEN + ' Remove from row<span class="visually-hidden"> Continue watching: '
    '{name}</span></button><span class="more-note">Your progress is kept.</span></form>',
}
# Play, My List, and under More: the rating (fetched when More is opened: drawn on every
# card it was half of a row's markup; without JS the link opens the title page at its
# widget), why this, hide. Then the profile's own rating, shown.
_ACTIONS = {
    leaves_row: '<div class="card-actions">'
    '<a class="icon-button" href="{play_url}" title="{verb}">{play_icon}'
    '<span class="visually-hidden">{verb}: {name}</span></a>'
    + _LIST_FORM
    + '<details class="card-more"><summary class="icon-button" title="More">'
    '<span aria-hidden="true">⋯</span>'
    '<span class="visually-hidden">More about {name}: rate, why this, hide</span></summary>'
    '<div class="card-more-panel"><a class="rating-load" id="rating-{slug}" '
    'href="{link}#your-rating" hx-get="{rate_url}" '
    'hx-trigger="toggle once from:closest details" hx-swap="outerHTML">Rate {name}</a>'
    "{evidence}" + hide_form + "</div></details>{your_rating}</div>"
    for leaves_row, hide_form in _HIDE_FORMS.items()
}
_CARD_OPEN = (
    '<article class="card{ranked}">{rank}<a class="card-link" href="{link}">'
    '<span class="card-poster"><img class="poster" src="{poster}" alt="" loading="lazy" '
    'width="300" height="450">{progress}</span><span class="card-name">{name}</span>'
    '{match}<span class="card-meta">{facts}</span></a>'
)
_CARD = _CARD_OPEN + "</article>"
_CARD_WITH_ACTIONS = {
    leaves_row: _CARD_OPEN + actions + "</article>" for leaves_row, actions in _ACTIONS.items()
}
_RANK = (
    '<span class="rank" aria-hidden="true">{rank}</span>'
    '<span class="visually-hidden">Number {rank} today:</span>'
)
# An SVG's width attribute, not a style attribute: the CSP refuses those.
_PROGRESS = (
    '<span class="progress" role="img" aria-label="{shown}% watched">'
    '<svg viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true">'
    '<rect width="{shown}" height="1"/></svg></span>'
)
_MATCH = (
    '<span class="card-meta"><span class="match">{match}% match</span> · '
    '<span class="predicted" aria-label="you’d rate it about {stars} stars">★{stars}</span></span>'
)
_STRIKE_FORM = (
    ' <form class="inline-form" method="post" action="{url}" hx-post="{url}" hx-swap="none">'
    '{inputs}<input type="hidden" name="excluded" value="on">'
    '<button type="submit" class="link-button strike" '
    'title="Don’t use {name} for my recommendations">Don’t use {name}</button></form>'
)
_STARS_PEEK = (
    '<span class="stars-peek" data-stars="{label}" aria-hidden="true"></span>'
    '<span class="visually-hidden">You rated it {label} stars</span>'
)
_THUMBS_PEEK = (
    '<span class="thumbs-peek" aria-hidden="true">{icons}</span>'
    '<span class="visually-hidden">You gave it {words}</span>'
)
_THUMBS = {
    Thumbs.DOWN: ("thumbs down", ICONS["thumb-down"]),
    Thumbs.UP: ("thumbs up", ICONS["thumb-up"]),
    Thumbs.TWO_UP: ("two thumbs up", ICONS["thumb-up"] + ICONS["thumb-up"]),
}


def list_button(title: object, ctx: CardContext, *, wide: bool = False) -> SafeString:
    """Add to / remove from My List, swapped in place."""
    return _format(
        _LIST_FORM,
        list_url=slug_url("recommendations:list_toggle", title.slug),
        inputs=ctx.hidden_inputs,
        list_state=_LIST_STATES[bool(getattr(title, "in_my_list", False))],
        list_label="" if wide else "visually-hidden",
        # The title page's button shows its label: the redrawn button must too.
        wide=_WIDE_INPUT if wide else "",
    )


def _your_rating(title: object) -> SafeString | str:
    """The profile's rating, shown on the card (the control is under More)."""
    mine = getattr(title, "my_stars", None)
    if mine:
        return _format(_STARS_PEEK, label=stars_label(Decimal(mine)))
    thumbs = _THUMBS.get(getattr(title, "my_thumbs", None))
    if thumbs:
        return _format(_THUMBS_PEEK, words=thumbs[0], icons=thumbs[1])
    return ""


def _evidence(title: object, ctx: CardContext) -> SafeString | str:
    """Why this, each reason that names a title with a way to stop using it."""
    reasons = getattr(title, "evidence", None)
    if not reasons:
        return ""
    items = SafeString(
        "".join(
            _format(
                "<li>{}{}</li>",
                reason.text,
                _format(
                    _STRIKE_FORM,
                    url=slug_url("recommendations:taste_exclusion", reason.title_slug),
                    inputs=ctx.hidden_inputs,
                    name=reason.title_name,
                )
                if reason.strikable
                else "",
            )
            for reason in reasons
        )
    )
    return _format('<p class="why-heading">Why this?</p><ul class="why">{}</ul>', items)


def title_card(title: object, ctx: CardContext, *, row_key: str = "") -> SafeString:
    """One card: poster, name, match, year; with a profile, its actions and evidence."""
    rank = getattr(title, "rank", None)
    percent = getattr(title, "progress_percent", None)
    completed = getattr(title, "progress_completed", None)
    under_way = bool(percent) and not completed
    match = getattr(title, "match", None)
    stars = getattr(title, "predicted_stars", None)
    card = {
        "ranked": " card-ranked" if rank else "",
        "rank": _format(_RANK, rank=rank) if rank else "",
        "link": title.get_absolute_url(),
        "poster": title.poster_url,
        "progress": _format(_PROGRESS, shown=_percent(percent)) if under_way else "",
        "name": title.name,
        "match": (
            _format(_MATCH, match=match, stars="" if stars is None else f"{stars:.1f}")
            if match is not None
            else ""
        ),
        "facts": _facts(title, under_way, completed),
    }
    if not ctx.with_actions:
        return _format(_CARD, **card)
    return _format(
        _CARD_WITH_ACTIONS[row_key == "continue"],
        **card,
        play_url=slug_url("recommendations:player", title.slug),
        # A series under way plays its next episode: "Play S1:E2".
        verb=getattr(title, "resume_label", None) or ("Resume" if under_way else "Play"),
        play_icon=ICONS["play"],
        inputs=ctx.hidden_inputs,
        list_url=slug_url("recommendations:list_toggle", title.slug),
        list_state=_LIST_STATES[bool(getattr(title, "in_my_list", False))],
        list_label="visually-hidden",
        wide="",
        slug=title.slug,
        rate_url=slug_url("recommendations:rate", title.slug),
        evidence=_evidence(title, ctx),
        hide_url=slug_url(
            "recommendations:continue_remove"
            if row_key == "continue"
            else "recommendations:not_interested",
            title.slug,
        ),
        hide_icon=ICONS["hide"],
        your_rating=_your_rating(title),
    )
