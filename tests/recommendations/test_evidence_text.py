"""The words of a card's "Why this?": each reason says what the figures say."""

from __future__ import annotations

import pytest

from recommendations.home.evidence import evidence_text


@pytest.mark.parametrize(
    ("stars", "text"),
    [
        (4.4, "Viewers with your taste rate it highly (about 4.4★)"),
        (4.0, "Viewers with your taste rate it highly (about 4★)"),
        (3.3, "Viewers with your taste rate it about 3.3★"),
    ],
)
def test_taste_match_says_highly_only_when_it_is(stars: float, text: str) -> None:
    assert evidence_text({"kind": "taste-match", "stars": stars}, {}).text == text
