"""Seeded randomness shared by every part of the demo world.

Each part draws from its own stream (`seeded_rng(seed, "titles")`, `"history:7"`…), so
adding viewers leaves the catalogue as it was. `random.Random` seeded with a string hashes
it with SHA-512: the draws are the same on every machine and under any PYTHONHASHSEED.
"""

from __future__ import annotations

import random
from collections.abc import Mapping


def seeded_rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"marquee-demo/{seed}/{stream}")


def weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def weighted_distinct(rng: random.Random, weights: Mapping[str, float], count: int) -> list[str]:
    remaining = dict(weights)
    chosen: list[str] = []
    while remaining and len(chosen) < count:
        pick = weighted(rng, remaining)
        chosen.append(pick)
        del remaining[pick]
    return chosen
