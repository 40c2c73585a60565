"""Maturity ratings and the age each one stands for (a profile's limit is an age:
`accounts.maturity`).

Kept as plain data (no model) so that filtering a profile's catalogue is a
`maturity_rating__in=[...]` on the title table, with no join.
"""

from __future__ import annotations

from django.db import models


class MaturityRating(models.TextChoices):
    ALL = "ALL", "All ages"
    G = "G", "G"
    TV_Y = "TV-Y", "TV-Y"
    TV_G = "TV-G", "TV-G"
    TV_Y7 = "TV-Y7", "TV-Y7"
    PG = "PG", "PG"
    TV_PG = "TV-PG", "TV-PG"
    PG_13 = "PG-13", "PG-13"
    TV_14 = "TV-14", "TV-14"
    R = "R", "R"
    TV_MA = "TV-MA", "TV-MA"
    NC_17 = "NC-17", "NC-17"
    NR = "NR", "Not rated"


MINIMUM_AGE: dict[str, int] = {
    MaturityRating.ALL: 0,
    MaturityRating.G: 0,
    MaturityRating.TV_Y: 0,
    MaturityRating.TV_G: 0,
    MaturityRating.TV_Y7: 7,
    MaturityRating.PG: 7,
    MaturityRating.TV_PG: 10,
    MaturityRating.PG_13: 13,
    MaturityRating.TV_14: 14,
    MaturityRating.R: 17,
    MaturityRating.TV_MA: 17,
    MaturityRating.NC_17: 18,
    # Unrated titles are treated as adult until a curator says otherwise.
    MaturityRating.NR: 18,
}


def ratings_up_to(age: int) -> list[str]:
    """The maturity ratings a viewer of `age` may see."""
    return [rating for rating, minimum in MINIMUM_AGE.items() if minimum <= age]


def age_for(rating: str) -> int:
    return MINIMUM_AGE.get(rating, 18)
