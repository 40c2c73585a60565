"""A home row's fragment, drawn once per plan and kept beside it.

Every visit to the home page fetches its lazy rows again, and most visits find the same
plan as the last one: drawing a row's cards (the card query, evidence, the markup) was
most of a fragment's time. The drawn row is cached under its part's key, so it goes
stale with the plan: a click, an activation, a curator's edit or a new day moves the key.

Two things in a drawn row belong to the request, not the plan: the CSRF token of each
card's forms (it is masked anew per request, and a token cached from another browser of
the same profile would fail its check) and the path the forms come back to. The row is
drawn with a placeholder for the token, replaced on the way out, and cached per path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from catalog.views import HtmxHttpRequest
from recommendations import cards
from recommendations.core.page.intent import Intent
from recommendations.home.plan import PLAN_SECONDS, home_plan_row, row_part_key
from recommendations.home.row_views import row_view

TEMPLATE = "catalog/home.html"
# Letters a form's value keeps as they are, which no title or name will spell: every
# process of one site derives the same ones, and an outsider cannot plant them.
CSRF_SLOT = "csrf" + hashlib.sha256(f"csrf-slot:{settings.SECRET_KEY}".encode()).hexdigest()[:32]


def _drawing_stamp() -> str:
    # A deploy that changes how a row is drawn must not serve rows drawn the old way
    # from a shared cache that outlives it.
    sources = [Path(settings.BASE_DIR) / "templates" / TEMPLATE, Path(cards.__file__)]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources))
    return digest.hexdigest()[:12]


DRAWING = _drawing_stamp()


def row_fragment(request: HtmxHttpRequest, *, key: str, intent: Intent) -> str:
    """Row `key` of the viewer's home page, as its fragment's HTML."""
    profile = request.profile
    part_key = row_part_key(profile=profile, key=key, intent=intent)
    path = request.get_full_path()
    html_key = f"{part_key}|html:{DRAWING}:{hashlib.sha1(path.encode()).hexdigest()[:16]}"
    found = cache.get_many([html_key, part_key])
    html = found.get(html_key)
    if html is None:
        part = home_plan_row(profile=profile, key=key, intent=intent, part=found.get(part_key))
        row = row_view(part, key, profile=profile, intent=intent)
        context = {
            "row": row,
            "key": key,
            "intent": intent,
            "intent_query": intent.query(),
            "csrf_token": CSRF_SLOT,
        }
        html = render_to_string(f"{TEMPLATE}#row", context, request)
        if row is not None:
            # A row that left the page is not kept: it is drawn without a query.
            cache.set(html_key, html, PLAN_SECONDS)
    return html.replace(CSRF_SLOT, get_token(request))
