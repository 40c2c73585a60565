"""Title cards (recommendations/cards.py, format_html's rule) and the rating widget they fetch:
markup, escaping and states."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from catalog.models import Title
from recommendations import cards
from recommendations.home.evidence import Evidence

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


def test_every_value_is_escaped_once() -> None:
    title = _title(
        name="Tom & Jerry",
        evidence=[
            Evidence(
                text="Because you liked A & B", title_id=2, title_name="A & B", title_slug="ab"
            )
        ],
    )
    html = cards.title_card(title, _ctx(path="/rows/top-picks/?minutes=30&mood=new"))
    assert html.count("Tom &amp; Jerry") == 5  # name, play, more, rate, not interested
    assert "Because you liked A &amp; B" in html
    assert 'value="/rows/top-picks/?minutes=30&amp;mood=new"' in html
    assert "&amp;amp;" not in html


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "<script>alert('x') & \"y\"</script>",
        mark_safe("<b>kept</b>"),
        gettext_lazy("Arrival & <Sicario>"),
        Decimal("4.5"),
        7,
        None,
    ],
)
def test_format_escapes_as_format_html_does(value: object) -> None:
    template = '<a title="{}">{named}</a>'
    expected = format_html(template, value, named=value)
    got = cards._format(template, value, named=value)
    assert got == expected
    assert isinstance(got, SafeString)


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
    # My List; under More the strike of the evidence, and Not interested.
    assert len(forms) == 3
    for form in forms:
        assert f'name="csrfmiddlewaretoken" value="{TOKEN}"' in form
        assert 'name="next" value="/rows/top-picks/?minutes=30"' in form
    assert 'action="/titles/dune/taste/"' in forms[1]
    assert 'action="/titles/arrival/not-interested/"' in forms[2]


def test_match_stars_progress_and_rank() -> None:
    title = _title(match=97, predicted_stars=4.3, progress_percent=Decimal("42.5"), rank=3)
    html = cards.title_card(title, _ctx())
    assert '<span class="match">97% match</span>' in html
    assert "★4.3</span>" in html
    assert 'aria-label="43% watched"' in html  # half up, as the templates round
    assert 'class="card card-ranked"' in html
    assert "Number 3 today:" in html
    assert 'title="Resume"' in html
    assert "Resume: Arrival" in html


def test_a_finished_title_says_watched_and_shows_no_bar() -> None:
    html = cards.title_card(_title(progress_percent=100, progress_completed=True), _ctx())
    assert "· Watched" in html
    assert 'class="progress"' not in html
    assert 'title="Play"' in html


def test_continue_watching_cards_offer_remove_instead_of_not_interested() -> None:
    html = cards.title_card(_title(progress_percent=30), _ctx(), row_key="continue")
    assert "Remove from row" in html
    assert "Continue watching: Arrival" in html
    assert "Not interested" not in html


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({}, None),
        ({"my_stars": Decimal("4.5")}, "You rated it 4.5 stars"),
        ({"my_stars": Decimal("4.0")}, "You rated it 4 stars"),
        ({"my_thumbs": 2}, "You gave it two thumbs up"),
    ],
)
def test_the_rating_is_shown_and_rated_under_more(extra: dict, shown: str | None) -> None:
    html = cards.title_card(_title(**extra), _ctx())
    more = re.search(r'<details class="card-more">.*?</details>', html).group(0)
    loader = re.search(r'<a class="rating-load".*?</a>', more).group(0)
    assert 'href="/titles/arrival/#your-rating"' in loader
    assert 'hx-get="/titles/arrival/rate/"' in loader
    assert 'hx-trigger="toggle once from:closest details"' in loader
    assert "Rate Arrival" in loader
    if shown is None:
        assert "You rated" not in html
    else:
        assert shown in html


def _tab_stops(html: str) -> list[str]:
    """Focusable elements outside closed panels, as a browser's Tab order sees them."""
    outside = re.sub(
        r"<details(.*?)<summary(.*?)</summary>.*?</details>", r"<summary\2</summary>", html
    )
    return re.findall(r"<(a|button|summary|input(?![^>]*type=\"hidden\"))[\s>]", outside)


@pytest.mark.parametrize("row_key", ["top-picks", "continue"])
def test_a_card_is_one_link_and_three_actions_for_the_keyboard(row_key: str) -> None:
    title = _title(
        progress_percent=30,
        evidence=[
            Evidence(
                text="Because you watched Dune", title_id=2, title_name="Dune", title_slug="dune"
            )
        ],
    )
    assert _tab_stops(cards.title_card(title, _ctx(), row_key=row_key)) == [
        "a",  # the card's link
        "a",  # Play
        "button",  # My List
        "summary",  # More: rating, why this, hide
    ]


@pytest.mark.parametrize(
    ("extra", "meta"),
    [
        ({"runtime_minutes": 112}, "2016 · 1 h 52 min"),
        ({"runtime_minutes": 120}, "2016 · 2 h"),
        ({"runtime_minutes": 100, "progress_percent": 60}, "2016 · 40 min left"),
        (
            {"runtime_minutes": 100, "progress_percent": 100, "progress_completed": True},
            "2016 · 1 h 40 min · Watched",
        ),
        ({"runtime_minutes": 44, "kind": "series"}, "2016 · 44-min episodes"),
        ({"kind": "series"}, "2016 · Series"),
    ],
)
def test_every_card_says_how_long(extra: dict, meta: str) -> None:
    html = cards.title_card(_title(**extra), _ctx(profile=False))
    assert f'<span class="card-meta">{meta}</span>' in html


def test_a_series_under_way_plays_its_next_episode() -> None:
    html = cards.title_card(
        _title(kind="series", progress_percent=40, resume_label="Play S1:E2"), _ctx()
    )
    assert 'title="Play S1:E2"' in html
    assert "Play S1:E2: Arrival" in html


def test_the_stars_are_one_radio_group_with_spoken_labels() -> None:
    request = RequestFactory().get("/titles/arrival/rate/")
    request.user = SimpleNamespace(rating_scale="stars", is_authenticated=False)
    html = render_to_string(
        "recommendations/_rating.html", {"title": _title(my_stars=Decimal("3.5"))}, request
    )
    assert html.count('type="radio"') == 10
    assert html.count('name="stars"') == 10
    assert re.findall(r'value="([\d.]+)"[^>]*checked', html) == ["3.5"]
    assert ">1 star<" in html
    assert ">0.5 stars<" in html
    assert ">4 stars<" in html
    assert "Rate 1 stars" not in html
    assert 'id="rate-arrival-0.5"' in html
    assert '<label for="rate-arrival-0.5" class="star star-left" title="0.5 stars">' in html
    assert '<label for="rate-arrival-5" class="star star-right" title="5 stars">' in html


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
        "{% load cards %}{% for title in titles %}{% title_card title %}{% endfor %}"
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
