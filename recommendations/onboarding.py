"""Cold start: a new profile picks a few titles it likes before its first home page.

A profile with no signal gets recommendations from popularity alone, the same for every
newcomer. Three thumbs-up from a grid of popular titles across genres are enough for the
engine to fold the profile in, so its first home page is already its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.models import Profile
from catalog import selectors as catalog_selectors
from catalog.models import Genre, Title
from recommendations import services
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

    One query while the answer is unknown. A profile with signals but no stamp (created
    before onboarding existed, or fed by the API or an import) is stamped here, so that for
    it, as for every onboarded profile, the check costs nothing from the next request on.
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
    if has_signals:
        profile.onboarded_at = timezone.now()
        Profile.objects.filter(pk=profile.pk, onboarded_at__isnull=True).update(
            onboarded_at=profile.onboarded_at
        )
        return False
    return True


@dataclass(frozen=True)
class GenreGroup:
    genre: Genre
    titles: list[Title]


def _count(rows: QuerySet) -> Coalesce:
    counted = rows.order_by().values("title").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _popularity(title_ref: str) -> Coalesce:
    """Distinct profiles that rated or watched the title (the outer row's `title_ref`).

    Ratings and title-level progress are each unique per profile and title, so raters plus
    watchers who did not rate counts every profile once. Private viewing does not count,
    as for trending.
    """
    raters = Rating.objects.filter(title=OuterRef(title_ref))
    watchers = WatchProgress.objects.filter(
        title=OuterRef(title_ref), episode__isnull=True, is_private=False
    ).exclude(Exists(Rating.objects.filter(profile=OuterRef("profile"), title=OuterRef("title"))))
    return _count(raters) + _count(watchers)


def _pickable(profile: Profile) -> QuerySet[Title]:
    visible = catalog_selectors.title_visible_queryset(profile=profile)
    return visible.exclude(
        Exists(NotInterested.objects.filter(profile=profile, title=OuterRef("pk")))
    )


def onboarding_groups(*, profile: Profile, genres: int = 8, per_genre: int = 8) -> list[GenreGroup]:
    """Popular titles the profile may see, grouped by the genres with most such titles.

    Each title appears once, in the first group that takes it, and the next most popular
    title of a later genre takes its place there. Group i can lose at most i * per_genre
    titles to earlier groups, so ranking genres * per_genre titles per genre always leaves
    enough. Two queries, whatever the catalogue's size: the genres, then the ranked titles.
    """
    pickable = _pickable(profile).values("pk")
    top_genres = list(
        Genre.objects.annotate(n=Count("titles", filter=Q(titles__in=pickable)))
        .filter(n__gt=0)
        .order_by("-n", "name")[:genres]
    )
    if not top_genres:
        return []
    through = Title.genres.through
    ranked = (
        through.objects.filter(genre__in=top_genres, title__in=pickable)
        # An alias, not an annotation: the popularity is computed once, inside the window.
        .alias(popularity=_popularity("title_id"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("genre_id"),
                order_by=[
                    F("popularity").desc(),
                    F("title__year").desc(nulls_last=True),
                    F("title__name").asc(),
                    F("title_id").asc(),
                ],
            ),
        )
        .filter(rank__lte=genres * per_genre)
        .select_related("title")
        .only("genre_id", *(f"title__{field}" for field in TILE_FIELDS))
        .order_by("genre_id", "rank")
    )
    candidates: dict[int, list[Title]] = {}
    for row in ranked:
        candidates.setdefault(row.genre_id, []).append(row.title)
    taken: set[int] = set()
    groups = []
    for genre in top_genres:
        titles = []
        for title in candidates.get(genre.pk, []):
            if len(titles) == per_genre:
                break
            if title.pk not in taken:
                taken.add(title.pk)
                titles.append(title)
        if titles:
            groups.append(GenreGroup(genre=genre, titles=titles))
    return groups


def onboarding_search(*, profile: Profile, query: str, limit: int = 24) -> list[Title]:
    """Titles for the picker's search box: the site's search, with its maturity filter.

    Titles marked "not interested" are found, as by the site's search: the viewer asked.
    """
    return catalog_selectors.search(query=query, profile=profile, limit=limit).titles


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
    titles = catalog_selectors.title_visible_queryset(profile=profile).in_bulk(ids)
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
