"""A row as a template draws it: its cards, in one query, with match, stars and evidence."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Profile
from catalog.models import Title
from catalog.selectors import Row, card_titles
from recommendations.core.page.intent import Intent
from recommendations.home.evidence import evidence_text
from recommendations.home.plan import Plan


def row_view(
    plan: Plan, key: str, *, profile: Profile, full: bool = False, intent: Intent | None = None
) -> Row | None:
    """A row's cards, in one query, each with its match, stars and evidence."""
    row = plan.row(key)
    if row is None:
        return None
    ids = row.see_all_ids if full else row.title_ids
    # Filtered again: a curator may have unpublished or re-rated a title since the plan.
    visible = Title.objects.visible_to(profile).filter(pk__in=ids)
    found = card_titles(visible).in_bulk()
    titles = []
    for title_id in ids:
        title = found.get(title_id)
        if title is None:
            continue
        card = plan.cards.get(title_id, {})
        title.match = card.get("match")
        title.predicted_stars = card.get("stars")
        title.my_stars = card.get("my_stars")
        title.my_thumbs = card.get("my_thumbs")
        title.in_my_list = card.get("in_my_list", False)
        title.is_not_interested = False  # the plan leaves them out
        title.progress_percent = card.get("progress_percent")
        title.progress_completed = card.get("progress_completed")
        # A series' resume point for the card's Play ("Play S1:E2"); None for a film.
        title.resume_label = card.get("resume_label")
        entries = plan.evidence.get(key, {}).get(title_id, [])
        title.evidence = [evidence_text(e, plan.names) for e in entries]
        title.rank = next((e["rank"] for e in entries if e["kind"] == "top10"), None)
        titles.append(title)
    query = intent.query() if intent else ""
    url = reverse("recommendations:row", args=[key]) + (f"?{query}" if query else "")
    return Row(
        key=key, heading=row.heading, titles=titles, see_all_url=url, numbered=key == "top-10"
    )
