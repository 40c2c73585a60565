"""Title cards drawn in Python (recommendations/cards.py): markup, escaping and states."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from catalog.models import Title
from recommendations import cards
from recommendations.rows import Evidence

TOKEN = "t0ken"


def _title(**extra: object) -> Title:
    title = Title(name="Arrival", slug="arrival", year=2016, kind="movie")
    for key, value in extra.items():
        setattr(title, key, value)
    return title


def _ctx(*, profile: bool = True, path: str = "/rows/top-picks/?minutes=30") -> cards.CardContext:
    request = RequestFactory().get(path)
    return cards.CardContext.build(
        request=request, csrf_token=TOKEN, profile=object() if profile else None
    )


def test_a_card_without_a_profile_is_poster_name_and_year() -> None:
    html = cards.title_card(_title(), _ctx(profile=False))
    assert html.startswith('<article class="card">')
    assert html.endswith("</article>")
    assert 'href="/titles/arrival/"' in html
    assert '<span class="card-name">Arrival</span>' in html
    assert '<span class="card-meta">2016</span>' in html
    assert "<form" not in html
    assert "rating-peek" not in html


def test_names_and_evidence_are_escaped() -> None:
    title = _title(
        name='<script>alert("x")</script>',
        evidence=[
            Evidence(text="Because you watched <b>", title_id=1, title_name="<i>", title_slug="i")
        ],
    )
    html = cards.title_card(title, _ctx())
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Don’t use &lt;i&gt;" in html


def test_every_form_carries_the_token_and_the_way_back() -> None:
    html = cards.title_card(
        _title(
            evidence=[
                Evidence(
                    text="Because you watched Dune",
                    title_id=2,
                    title_name="Dune",
                    title_slug="dune",
                )
            ]
        ),
        _ctx(),
    )
    forms = re.findall(r"<form .*?</form>", html)
    # My List, Not interested, and the strike of the evidence.
    assert len(forms) == 3
    for form in forms:
        assert f'name="csrfmiddlewaretoken" value="{TOKEN}"' in form
        assert 'name="next" value="/rows/top-picks/?minutes=30"' in form
    assert 'action="/titles/dune/taste/"' in forms[2]


def test_match_stars_progress_and_rank() -> None:
    title = _title(match=97, predicted_stars=4.3, progress_percent=Decimal("42.5"), rank=3)
    html = cards.title_card(title, _ctx())
    assert '<span class="match">97% match</span>' in html
    assert "★4.3</span>" in html
    assert 'aria-label="43% watched"' in html  # half up, as the templates round
    assert 'class="card card-ranked"' in html
    assert "Number 3 today:" in html
    assert ">Resume<" not in html
    assert 'title="Resume"' in html


def test_a_finished_title_says_watched_and_shows_no_bar() -> None:
    html = cards.title_card(_title(progress_percent=100, progress_completed=True), _ctx())
    assert "· Watched" in html
    assert 'class="progress"' not in html
    assert 'title="Play"' in html


def test_continue_watching_cards_offer_remove_instead_of_not_interested() -> None:
    html = cards.title_card(_title(progress_percent=30), _ctx(), row_key="continue")
    assert "Remove Arrival from Continue watching" in html
    assert "Not interested" not in html


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({}, "Rate Arrival"),
        ({"my_stars": Decimal("4.5")}, "Your rating of Arrival: 4.5 stars"),
        ({"my_stars": Decimal("4.0")}, "Your rating of Arrival: 4 stars"),
        ({"my_thumbs": 2}, "Change your rating of Arrival"),
    ],
)
def test_the_rating_peek_links_to_the_title_page_and_fetches_the_widget(
    extra: dict, shown: str
) -> None:
    html = cards.title_card(_title(**extra), _ctx())
    peek = re.search(r'<a class="rating-peek".*?</a>', html).group(0)
    assert 'href="/titles/arrival/#your-rating"' in peek
    assert 'hx-get="/titles/arrival/rate/"' in peek
    assert shown in peek


def test_list_button_states() -> None:
    added = cards.list_button(_title(in_my_list=True), _ctx())
    assert 'value="remove"' in added
    assert 'aria-pressed="true"' in added
    assert '<span class="visually-hidden">My List</span>' in added
    wide = cards.list_button(_title(), _ctx(), wide=True)
    assert 'value="add"' in wide
    assert '<span class="">My List</span>' in wide


def test_the_template_tag_shares_one_context_per_response() -> None:
    request = RequestFactory().get("/browse/")
    template = Template(
        "{% load signals %}{% for title in titles %}{% title_card title %}{% endfor %}"
    )
    html = template.render(
        Context(
            {
                "titles": [_title(), _title(name="Dune", slug="dune")],
                "request": request,
                "csrf_token": TOKEN,
                "current_profile": object(),
            }
        )
    )
    assert html.count("<article") == 2
    assert html.count(f'value="{TOKEN}"') == 4
