"""reverse() for the many per-title links of a page of cards."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse

_PLACEHOLDER = "slug-placeholder"


@lru_cache(maxsize=256)
def _around(name: str, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
    return before, after


def slug_url(name: str, slug: str) -> str:
    """`reverse(name, args=[slug])` for a URL whose only argument is a slug, reversed once.

    A row of 18 cards links each title seven times (page, poster, play, rate, list,
    hide...); reversing each was a third of a row fragment's time. Slugs hold only
    URL-safe characters, so the slug is put in as it is. The script prefix is part of the
    key, as reverse() depends on it.
    """
    before, after = _around(name, get_script_prefix())
    return f"{before}{slug}{after}"
