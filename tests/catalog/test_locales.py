"""Language and country codes are shown as names."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.locales import COUNTRY_NAMES, country_name, language_name
from tests.factories import TitleFactory


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("tr", "Turkish"),
        ("TR", "Turkish"),
        ("ja", "Japanese"),
        ("zh", "Chinese"),  # Django names only zh-hans and zh-hant
        ("yo", "Yoruba"),
        ("pt-br", "Brazilian Portuguese"),
        ("qq", "QQ"),
    ],
)
def test_language_names(code: str, name: str) -> None:
    assert language_name(code) == name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("TR", "Türkiye"),
        ("tr", "Türkiye"),
        ("KR", "South Korea"),
        ("GB", "United Kingdom"),
        ("US", "United States"),
        ("CD", "DR Congo"),
        ("ZZ", "ZZ"),
    ],
)
def test_country_names(code: str, name: str) -> None:
    assert country_name(code) == name


def test_every_assigned_country_code_has_a_short_name() -> None:
    assert len(COUNTRY_NAMES) == 249
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_NAMES)
    # The ISO list's inverted forms ("Korea, Republic of") read badly in a line of facts.
    assert [name for name in COUNTRY_NAMES.values() if ", " in name] == []


@pytest.mark.django_db
def test_the_title_page_names_the_language_and_the_country(client: Client) -> None:
    title = TitleFactory(original_language="tr", country="TR")
    page = client.get(title.get_absolute_url()).text
    assert '<span title="Original language">Turkish</span>' in page
    assert '<span title="Country">Türkiye</span>' in page
    assert ">TR<" not in page
    assert ">tr<" not in page
