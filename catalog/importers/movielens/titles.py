"""MovieLens films as catalogue titles, with their genres and tags.

- Genres. "Sci-Fi" becomes "Science Fiction" and "Children's"/"Children" become "Family",
  the names the rest of Marquee uses; ml-100k's "unknown" and "(no genres listed)" give no
  genre; every other MovieLens name is kept ("Film-Noir", "IMAX"…). Genres are matched by
  slug, then by name, and created when missing.
- Titles. Matched by `movielens_id`; a new one gets its name without the year, a trailing
  article moved to the front ("Postman, The (Il postino)" → "The Postman (Il postino)") and
  a unique slug. A title that exists only gets its missing IMDb/TMDb ids filled in: curators
  own everything else. An id that another title already holds is left empty and counted.
- Tags (tags.csv). Whitespace collapsed and lower-cased; a tag goes on a title only when at
  least `TAG_MIN_USERS` different users gave that title that tag (`formats.tags_select`),
  which drops most one-off notes ("watched on a plane"); tags longer than `Tag.name` allows
  are dropped.

These run inside the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from django.utils import timezone
from django.utils.text import slugify

from catalog.importers.movielens.formats import NO_GENRES, Link, Movie, MovieLensError
from catalog.maturity import MaturityRating
from catalog.models import MAX_YEAR, MIN_YEAR, Genre, Tag, Title

TAG_MIN_USERS = 2
# MovieLens genre → Marquee genre; None: no genre.
GENRE_NAMES: dict[str, str | None] = {
    "Sci-Fi": "Science Fiction",
    "Children's": "Family",
    "Children": "Family",
    "unknown": None,
    NO_GENRES: None,
}
BATCH_SIZE = 2000

_T = TypeVar("_T")


@dataclass(frozen=True)
class TitlesEnsured:
    """What `titles_ensure` did."""

    ids: dict[int, int]  # MovieLens id → Title pk
    created: int
    updated: int
    id_clashes: int


class _Existing(NamedTuple):
    pk: int
    name: str
    year: int | None
    imdb_id: str | None
    tmdb_id: int | None


def _name_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.split(" (", 1)[0].lower())


def _numbering_check(movies: list[Movie], existing: dict[int, _Existing]) -> None:
    # ml-100k numbers its 1,682 films itself (its 2 is GoldenEye, everywhere else Jumanji),
    # so mixing it with another dataset would pin ratings on the wrong films. Names and
    # years legitimately drift between releases, so only a pattern of films that differ in
    # both counts.
    matched = [movie for movie in movies if movie.movielens_id in existing]
    different = [
        movie
        for movie in matched
        if movie.year != existing[movie.movielens_id].year
        and _name_key(movie.name) != _name_key(existing[movie.movielens_id].name)
    ]
    if len(different) >= 3 and len(different) * 5 > len(matched):
        movie = different[0]
        title = existing[movie.movielens_id]
        raise MovieLensError(
            f"{len(different):,} of the {len(matched):,} MovieLens ids in this folder already "
            f"belong to other films here (id {movie.movielens_id} is “{title.name}” "
            f"({title.year}) in the database, “{movie.name}” ({movie.year}) in the file). "
            "ml-100k numbers its films differently from the other MovieLens datasets: "
            "import it into a database of its own."
        )


def titles_ensure(movies: list[Movie], *, links: dict[int, Link]) -> TitlesEnsured:
    """A title for every film of `movies`, matched by `movielens_id` or created with its genres.

    Raises MovieLensError, before writing, when the ids already belong to other films (ml-100k
    numbers its films its own way).
    """
    existing = {
        row[0]: _Existing(*row[1:])
        for row in Title.objects.filter(movielens_id__isnull=False).values_list(
            "movielens_id", "pk", "name", "year", "imdb_id", "tmdb_id"
        )
    }
    _numbering_check(movies, existing)
    imdb_taken = set(Title.objects.exclude(imdb_id=None).values_list("imdb_id", flat=True))
    tmdb_taken = set(Title.objects.exclude(tmdb_id=None).values_list("tmdb_id", flat=True))
    slugs_taken = set(Title.objects.values_list("slug", flat=True))
    clashes = 0

    def claim(value: _T | None, taken: set[_T]) -> _T | None:
        nonlocal clashes
        if value is None:
            return None
        if value in taken:
            clashes += 1
            return None
        taken.add(value)
        return value

    new: list[Title] = []
    changed: list[Title] = []
    now = timezone.now()
    for movie in sorted(movies, key=lambda movie: movie.movielens_id):
        link = links.get(movie.movielens_id)
        imdb_id = link.imdb_id if link else None
        tmdb_id = link.tmdb_id if link else None
        if movie.movielens_id in existing:
            title = existing[movie.movielens_id]
            fill_imdb = claim(imdb_id, imdb_taken) if title.imdb_id is None else None
            fill_tmdb = claim(tmdb_id, tmdb_taken) if title.tmdb_id is None else None
            if fill_imdb or fill_tmdb:
                changed.append(
                    Title(
                        pk=title.pk,
                        imdb_id=fill_imdb or title.imdb_id,
                        tmdb_id=fill_tmdb or title.tmdb_id,
                        updated_at=now,
                    )
                )
            continue
        year = movie.year if movie.year and MIN_YEAR <= movie.year <= MAX_YEAR else None
        name = movie.name[: Title._meta.get_field("name").max_length]
        new.append(
            Title(
                kind=Title.Kind.MOVIE,
                name=name,
                slug=_slug_free(name, year, movie.movielens_id, slugs_taken),
                year=year,
                maturity_rating=MaturityRating.NR,
                is_published=True,
                movielens_id=movie.movielens_id,
                imdb_id=claim(imdb_id, imdb_taken),
                tmdb_id=claim(tmdb_id, tmdb_taken),
            )
        )
    Title.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Title.objects.bulk_update(changed, ["imdb_id", "tmdb_id", "updated_at"], batch_size=BATCH_SIZE)
    # Read the ids back rather than trust bulk_create to return them: not every backend does.
    wanted = {movie.movielens_id for movie in movies}
    ids = {
        movielens_id: pk
        for movielens_id, pk in Title.objects.filter(movielens_id__isnull=False).values_list(
            "movielens_id", "pk"
        )
        if movielens_id in wanted
    }
    _title_genres_create(
        [movie for movie in movies if movie.movielens_id not in existing], title_ids=ids
    )
    return TitlesEnsured(ids=ids, created=len(new), updated=len(changed), id_clashes=clashes)


def _slug_free(name: str, year: int | None, movielens_id: int, taken: set[str]) -> str:
    # 270 leaves room for a "-NN" suffix within the field's 280.
    base = slugify(f"{name} {year}" if year else name)[:270].strip("-")
    base = base or f"movielens-{movielens_id}"
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    taken.add(slug)
    return slug


def _title_genres_create(movies: list[Movie], *, title_ids: dict[int, int]) -> None:
    wanted: dict[int, list[str]] = {}
    for movie in movies:
        mapped = (GENRE_NAMES.get(name, name) for name in movie.genres)
        wanted[movie.movielens_id] = sorted({name for name in mapped if name})
    names = sorted({name for names in wanted.values() for name in names})
    genre_ids = _vocabulary_ensure(Genre, names, build=lambda name: Genre(name=name))
    through = Title.genres.through
    through.objects.bulk_create(
        [
            through(title_id=title_ids[movielens_id], genre_id=genre_ids[name])
            for movielens_id, names in wanted.items()
            for name in names
            if name in genre_ids
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


def _vocabulary_ensure(
    model: type[Genre] | type[Tag], names: list[str], *, build: Callable[[str], Genre | Tag]
) -> dict[str, int]:
    """Name → id of genres or tags, creating the missing ones; a name without slug is left out."""
    # Match by slug, then by name: a curator may have renamed either, and both are unique.
    existing = list(model.objects.all())
    by_slug = {item.slug: item.pk for item in existing}
    by_name = {item.name.lower(): item.pk for item in existing}
    slug_length = model._meta.get_field("slug").max_length
    ids: dict[str, int] = {}
    missing: dict[str, Genre | Tag] = {}
    aliases: dict[str, str] = {}
    for name in names:
        slug = slugify(name)[:slug_length].strip("-")
        if not slug:
            continue
        pk = by_slug.get(slug) or by_name.get(name.lower())
        if pk is not None:
            ids[name] = pk
        elif slug in missing:
            # "sci-fi" and "sci fi" share a slug: one row for both.
            aliases[name] = slug
        else:
            item = build(name)
            item.slug = slug
            missing[slug] = item
    model.objects.bulk_create(list(missing.values()), batch_size=BATCH_SIZE)
    # All of them rather than `slug__in`: SQLite refuses more than 32,766 parameters.
    created = dict(model.objects.values_list("slug", "pk")) if missing else {}
    for slug, item in missing.items():
        ids[item.name] = created[slug]
    for name, slug in aliases.items():
        ids[name] = created[slug]
    return ids


def tags_attach(tags: dict[int, list[str]], *, title_ids: dict[int, int]) -> tuple[int, int]:
    """Put the selected tags on their titles; return (tags created, title–tag links added)."""
    if not tags:
        return 0, 0
    max_length = Tag._meta.get_field("name").max_length
    names = sorted({name for names in tags.values() for name in names if len(name) <= max_length})
    before_tags = Tag.objects.count()
    tag_ids = _vocabulary_ensure(Tag, names, build=lambda name: Tag(name=name, kind=Tag.Kind.THEME))
    through = Title.tags.through
    before_links = through.objects.count()
    through.objects.bulk_create(
        [
            through(title_id=title_ids[movie_id], tag_id=tag_ids[name])
            for movie_id, names in tags.items()
            for name in names
            if name in tag_ids
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    return Tag.objects.count() - before_tags, through.objects.count() - before_links
