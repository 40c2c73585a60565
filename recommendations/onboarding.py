"""Cold start: a new profile picks a few titles it likes before its first home page.

A profile with no signal gets recommendations from popularity alone, the same for every
newcomer. Three thumbs-up from a grid of popular titles across genres are enough for the
engine to fold the profile in, so its first home page is already its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Profile
from catalog import search as catalog_search
from catalog.models import Genre, Title
from recommendations import services
from recommendations.home.catalogue import catalogue
from recommendations.models import ListItem, NotInterested, Rating, Source, Thumbs, WatchProgress

MIN_PICKS = 3
# More is no better signal than fifty, and each pick is a write.
MAX_PICKS = 50
# What a tile shows: poster, name, year, kind.
TILE_FIELDS = ("id", "slug", "name", "year", "kind", "poster", "maturity_rating")


def _mark_onboarded(profile: Profile) -> None:
    # The first time counts: picking more titles later does not move the stamp.
    if profile.onboarded_at is None:
        profile.onboarded_at = timezone.now()
        profile.save(update_fields=["onboarded_at"])


def needs_onboarding(profile: Profile) -> bool:
    """True for a profile that never picked, skipped, or gave any signal.

    Free for an onboarded profile; one query while the answer is unknown. Recording a
    signal stamps the profile (services.rows_changed), so the query runs only for a profile
    fed before onboarding existed, by an import, or not at all.
    """
    if profile.onboarded_at is not None:
        return False
    mine = {"profile": OuterRef("pk")}
    has_signals = (
        Profile.objects.filter(pk=profile.pk)
        .filter(
            Exists(Rating.objects.filter(**mine))
            | Exists(WatchProgress.objects.filter(**mine))
            | Exists(ListItem.objects.filter(**mine))
        )
        .exists()
    )
    return not has_signals


@dataclass(frozen=True)
class GenreGroup:
    genre: Genre
    titles: list[Title]


def has_history(profile: Profile) -> bool:
    """True once the profile gave a signal of its own, beyond its onboarding picks.

    A watch, a My List entry or a rating made on the site, the API or an import: the
    home page greets such a profile with "Welcome back", a new one with "Welcome". One query.
    """
    mine = {"profile": OuterRef("pk")}
    return (
        Profile.objects.filter(pk=profile.pk)
        .filter(
            Exists(WatchProgress.objects.filter(**mine))
            | Exists(ListItem.objects.filter(**mine))
            | Exists(Rating.objects.filter(**mine).exclude(source=Source.ONBOARDING))
        )
        .exists()
    )


def onboarding_groups(*, profile: Profile, genres: int = 8, per_genre: int = 8) -> list[GenreGroup]:
    """Popular titles the profile may see, grouped by the genres with most such titles.

    Each title appears once, in the first group that takes it, and the next most popular
    title of a later genre takes its place there. Popularity (viewers per title) and the
    genres come from the process's catalogue arrays (`recommendations.home.catalogue`),
    so no query counts ratings: three small queries, whatever the catalogue's size (the
    profile's refusals, the titles shown, their genres).
    """

    cat = catalogue()
    pickable = cat.min_age <= profile.max_maturity_age
    refused = cat.index(
        list(NotInterested.objects.filter(profile=profile).values_list("title_id", flat=True))
    )
    pickable[refused[refused >= 0]] = False
    per_column = np.asarray(cat.genres[pickable].sum(axis=0)).ravel()
    columns = sorted(
        (c for c in range(per_column.size) if per_column[c] > 0),
        key=lambda c: (-per_column[c], cat.genre_meta[c][1]),
    )[:genres]
    if not columns:
        return []
    # Group i loses at most i * per_genre titles to earlier groups: that many candidates
    # per genre always leave enough.
    depth = genres * per_genre
    members = {}
    for column in columns:
        inside = cat.genres[:, column].nonzero()[0]
        inside = inside[pickable[inside]]
        order = np.lexsort((cat.ids[inside], -cat.year[inside], -cat.popularity[inside]))
        members[column] = inside[order][:depth]
    wanted = {int(cat.ids[at]) for chosen in members.values() for at in chosen.tolist()}
    titles = Title.objects.filter(pk__in=wanted, is_published=True).only(*TILE_FIELDS).in_bulk()
    slugs = [cat.genre_meta[column][0] for column in columns]
    genre_by_slug = Genre.objects.filter(slug__in=slugs).in_bulk(field_name="slug")
    taken: set[int] = set()
    groups = []
    for column in columns:
        genre = genre_by_slug.get(cat.genre_meta[column][0])
        if genre is None:
            continue
        # Among equally popular titles of the same year, by name.
        ranked = []
        for at in members[column].tolist():
            title = titles.get(int(cat.ids[at]))
            if title is not None:
                key = (-cat.popularity[at], -(title.year or 0), title.name, title.pk)
                ranked.append((key, title))
        ranked.sort(key=lambda pair: pair[0])
        chosen = []
        for _key, title in ranked:
            if len(chosen) == per_genre:
                break
            if title.pk not in taken:
                taken.add(title.pk)
                chosen.append(title)
        if chosen:
            groups.append(GenreGroup(genre=genre, titles=chosen))
    return groups


def onboarding_search(*, profile: Profile, query: str, limit: int = 24) -> list[Title]:
    """Titles for the picker's search box: the site's search, with its maturity filter.

    Titles marked "not interested" are found, as by the site's search: the viewer asked.
    """
    return catalog_search.search(query=query, profile=profile, limit=limit).titles


# Primary keys are positive 64-bit integers: anything else names no title, and larger
# numbers would not even fit in a query parameter on SQLite.
_MAX_ID = 2**63 - 1


def _title_id(value: object) -> int | None:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 19:
        return None
    pk = int(text)
    return pk if 0 < pk <= _MAX_ID else None


def picked_title_ids(values: Iterable[object]) -> list[int]:
    """The ids among the values, in order, once each; what names no title is dropped.

    For showing picks ticked again: `onboarding_complete` judges them on submit.
    """
    ids = (_title_id(value) for value in values)
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


def _parse_ids(title_ids: Iterable[object]) -> list[int]:
    ids = [_title_id(value) for value in title_ids]
    if None in ids:
        raise ValidationError(
            "One of the picks is not a title. Reload the page and pick again.", code="invalid"
        )
    return list(dict.fromkeys(ids))


def _unavailable(*, profile: Profile, missing: list[int]) -> ValidationError:
    """Why some picks cannot be taken, without naming them.

    Naming a title above the limit would let a kids profile list mature titles by
    posting ids; it only learns that some picks are not available to it.
    """
    # Only on this error path: published titles the profile may not see are too mature.
    too_mature = Title.objects.filter(pk__in=missing, is_published=True).count()
    errors = []
    if too_mature:
        errors.append(
            ValidationError(
                (
                    f"A pick is above {profile.name}’s maturity limit."
                    if too_mature == 1
                    else f"{too_mature} picks are above {profile.name}’s maturity limit."
                ),
                code="forbidden",
            )
        )
    if too_mature < len(missing):
        errors.append(
            ValidationError(
                "Some picks are no longer in the catalogue: pick again.", code="not_found"
            )
        )
    return ValidationError(errors)


@transaction.atomic
def onboarding_complete(*, profile: Profile, title_ids: Iterable[object]) -> int:
    """Record the titles the profile picked as thumbs-up; return how many ratings are new.

    All or nothing: fewer than MIN_PICKS distinct titles, more than MAX_PICKS, or any title
    the profile may not see (unknown, unpublished, above its maturity limit) raises
    ValidationError and writes nothing. A title already rated keeps its rating.
    """
    ids = _parse_ids(title_ids)
    if len(ids) < MIN_PICKS:
        raise ValidationError(
            f"Pick at least {MIN_PICKS} titles you like (you picked {len(ids)}), or skip for now.",
            code="too_few",
        )
    if len(ids) > MAX_PICKS:
        raise ValidationError(
            f"Pick at most {MAX_PICKS} titles (you picked {len(ids)}).", code="too_many"
        )
    titles = Title.objects.visible_to(profile).in_bulk(ids)
    missing = [pk for pk in ids if pk not in titles]
    if missing:
        raise _unavailable(profile=profile, missing=missing)
    rated = set(
        Rating.objects.filter(profile=profile, title_id__in=ids).values_list("title_id", flat=True)
    )
    recorded = 0
    for pk in ids:
        if pk in rated:
            continue
        services.rating_set(
            profile=profile, title=titles[pk], thumbs=Thumbs.UP, source=Source.ONBOARDING
        )
        recorded += 1
    _mark_onboarded(profile)
    return recorded


def onboarding_skip(*, profile: Profile) -> None:
    """ "Skip for now": the profile starts from popularity and is not asked again."""
    _mark_onboarded(profile)
