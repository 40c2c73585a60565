"""The one row partial (`catalog/home.html#row`): a loaded row, a row still to load and a
row gone, for a profile and for a visitor."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from catalog.models import Title


@dataclass
class _Row:
    key: str
    heading: str
    titles: list[Title] = field(default_factory=list)
    see_all_url: str = ""
    numbered: bool = False


def _titles() -> list[Title]:
    return [Title(name="Arrival", slug="arrival", year=2016), Title(name="Dune", slug="dune")]


def _render(*, profile: bool = True, **context: object) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.profile = object() if profile else None
    return render_to_string("catalog/home.html#row", {"intent_query": "", **context}, request)


def _section(html: str) -> str:
    return re.search(r"<section[^>]*>", html).group(0)


def test_a_loaded_row_draws_its_cards_and_refetches_after_a_signal() -> None:
    row = _Row("top-picks", "Top picks for Ana", _titles(), "/rows/top-picks/?minutes=30")
    html = _render(row=row, intent_query="minutes=30")
    section = _section(html)
    assert 'class="row"' in section
    assert 'id="row-top-picks"' in section
    assert 'aria-labelledby="row-top-picks-heading"' in section
    assert 'hx-get="/rows/top-picks/?minutes=30"' in section
    # rows.js sends row-refresh after a signal: at once on screen, later off it.
    assert 'hx-trigger="row-refresh"' in section
    assert " data-refresh" in section
    assert '<h2 id="row-top-picks-heading">Top picks for Ana</h2>' in html
    assert '<a class="row-more" href="/rows/top-picks/?minutes=30">See all' in html
    assert '<div class="row-track">' in html
    assert html.count('<article class="card">') == 2
    assert "card-skeleton" not in html


def test_a_numbered_row_says_so_to_its_track() -> None:
    html = _render(row=_Row("top-10", "Top 10 today", _titles(), "/rows/top-10/", numbered=True))
    assert '<div class="row-track row-numbered">' in html


def test_a_row_still_to_load_is_the_same_row_with_a_skeleton() -> None:
    # A plan row: its key and heading, no cards yet.
    row = _Row("because-7", "Because you watched Dune")
    html = _render(row=row, loading=True, intent_query="mood=new")
    section = _section(html)
    assert 'class="row row-lazy"' in section
    assert 'id="row-because-7"' in section
    assert 'hx-get="/rows/because-7/?mood=new"' in section
    assert 'hx-trigger="revealed, intersect once"' in section
    assert '<h2 id="row-because-7-heading">Because you watched Dune</h2>' in html
    # A real link for people without JS.
    assert '<a class="row-more" href="/rows/because-7/?mood=new">See all' in html
    assert '<div class="row-track" aria-hidden="true">' in html
    assert html.count('<span class="card-skeleton"></span>') == 6
    assert "<article" not in html


def test_a_visitors_row_does_not_listen_for_signals() -> None:
    row = _Row("new", "New on Marquee", _titles(), "/browse/?order=new")
    html = _render(row=row, profile=False)
    assert "hx-get" not in _section(html)
    assert '<a class="row-more" href="/browse/?order=new">See all' in html
    assert html.count('<article class="card">') == 2
    assert "<form" not in html  # no actions without a profile


def test_a_row_gone_stays_hidden_and_listens_in_case_it_comes_back() -> None:
    html = _render(row=None, key="because-7")
    section = _section(html)
    assert 'class="row row-gone"' in section
    assert " hidden" in section
    assert 'hx-get="/rows/because-7/"' in section
    assert 'hx-trigger="signals-changed from:body"' in section
