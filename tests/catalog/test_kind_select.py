"""The Films/Series filter of Browse and History uses the nav's words."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _options(page: str) -> list[tuple[str, str, bool]]:
    select = re.search(r'<select name="kind">(.*?)</select>', page, re.S).group(1)
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select
        )
    ]


@pytest.mark.parametrize("url_name", ["catalog:browse", "recommendations:history"])
def test_the_options_say_films_and_series(alice_client: Client, url_name: str) -> None:
    options = _options(alice_client.get(reverse(url_name)).text)
    assert options == [
        ("", "Films and series", False),
        ("movie", "Films only", False),
        ("series", "Series only", False),
    ]


@pytest.mark.parametrize("kind", ["movie", "series"])
def test_the_chosen_kind_stays_selected(alice_client: Client, kind: str) -> None:
    page = alice_client.get(reverse("catalog:browse") + f"?kind={kind}").text
    assert [value for value, _label, selected in _options(page) if selected] == [kind]
