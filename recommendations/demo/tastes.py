"""Taste groups: the hidden structure that demo feedback is generated from.

Each viewer profile secretly belongs to one group; `world.affinity()` says how much a group
likes a title, and the histories follow from that, so a recommender trained on demo
feedback has a real signal to find.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TasteGroup:
    """A kind of viewer. Weights run from 0 to 1, preferences from -1 to +1."""

    name: str
    genres: tuple[tuple[str, float], ...]
    tags: tuple[tuple[str, float], ...]
    disliked_genres: tuple[str, ...] = ()
    series_preference: float = 0.0  # +1 watches series, -1 watches films
    recency_preference: float = 0.0  # +1 wants new releases, -1 prefers classics


# fmt: off
TASTE_GROUPS: tuple[TasteGroup, ...] = (
    TasteGroup(
        name="thrill-seekers",
        genres=(("Action", 1.0), ("Thriller", 0.8), ("Adventure", 0.6),
                ("Science Fiction", 0.5), ("Crime", 0.4)),
        tags=(("tense", 1.0), ("heist", 0.8), ("epic", 0.6), ("revenge", 0.6),
              ("survival", 0.5)),
        disliked_genres=("Romance", "Musical", "Documentary"),
        series_preference=-0.4,
        recency_preference=0.6,
    ),
    TasteGroup(
        name="family-night",
        genres=(("Animation", 1.0), ("Family", 1.0), ("Comedy", 0.5), ("Adventure", 0.5),
                ("Fantasy", 0.5)),
        tags=(("heartwarming", 1.0), ("feel-good", 0.9), ("whimsical", 0.8),
              ("found family", 0.7), ("coming of age", 0.4)),
        disliked_genres=("Horror", "War", "Crime"),
        recency_preference=0.4,
    ),
    TasteGroup(
        name="arthouse",
        genres=(("Drama", 1.0), ("History", 0.5), ("Romance", 0.4), ("Documentary", 0.4)),
        tags=(("slow-burn", 1.0), ("melancholic", 0.9), ("bleak", 0.7), ("small town", 0.4),
              ("coming of age", 0.4)),
        disliked_genres=("Action", "Animation", "Family"),
        series_preference=-0.6,
        recency_preference=-0.5,
    ),
    TasteGroup(
        name="horror-hounds",
        genres=(("Horror", 1.0), ("Thriller", 0.6), ("Mystery", 0.5),
                ("Science Fiction", 0.3)),
        tags=(("dark", 1.0), ("haunted house", 0.9), ("tense", 0.7), ("survival", 0.5)),
        disliked_genres=("Family", "Musical", "Romance", "Animation"),
        recency_preference=0.2,
    ),
    TasteGroup(
        name="romantics",
        genres=(("Romance", 1.0), ("Comedy", 0.8), ("Musical", 0.5), ("Drama", 0.3)),
        tags=(("romantic", 1.0), ("first love", 0.9), ("feel-good", 0.7), ("witty", 0.6),
              ("small town", 0.4)),
        disliked_genres=("Horror", "War", "Western"),
        series_preference=0.2,
    ),
    TasteGroup(
        name="sci-fi-and-fantasy",
        genres=(("Science Fiction", 1.0), ("Fantasy", 0.9), ("Adventure", 0.4),
                ("Animation", 0.2)),
        tags=(("mind-bending", 1.0), ("time travel", 0.9), ("space exploration", 0.9),
              ("dystopia", 0.7), ("epic", 0.4)),
        disliked_genres=("Romance", "Western", "Documentary"),
        series_preference=0.4,
        recency_preference=0.3,
    ),
    TasteGroup(
        name="crime-bingers",
        genres=(("Crime", 1.0), ("Mystery", 0.9), ("Thriller", 0.5), ("Documentary", 0.4)),
        tags=(("whodunit", 1.0), ("conspiracy", 0.8), ("courtroom", 0.7), ("gritty", 0.5)),
        disliked_genres=("Animation", "Musical", "Fantasy"),
        series_preference=0.9,
        recency_preference=0.3,
    ),
    TasteGroup(
        name="classic-buffs",
        genres=(("Western", 1.0), ("War", 0.8), ("History", 0.8), ("Musical", 0.5),
                ("Drama", 0.3)),
        tags=(("epic", 1.0), ("nostalgic", 0.9), ("gritty", 0.5), ("underdog", 0.4)),
        disliked_genres=("Horror", "Animation", "Science Fiction"),
        series_preference=-0.7,
        recency_preference=-1.0,
    ),
)
# How common each taste is among adult viewers; children mostly share one.
ADULT_GROUP_WEIGHTS: dict[str, int] = {
    "thrill-seekers": 16, "family-night": 8, "arthouse": 10, "horror-hounds": 10,
    "romantics": 14, "sci-fi-and-fantasy": 14, "crime-bingers": 18, "classic-buffs": 10,
}
KIDS_GROUP_WEIGHTS: dict[str, int] = {"family-night": 3, "sci-fi-and-fantasy": 1}

# fmt: on
GROUP_BY_NAME = {group.name: group for group in TASTE_GROUPS}
