"""The demo catalogue: titles, their people, credits, seasons and episodes, as plain specs.

No database access: `load` writes them. Names, plots and characters are combined from
`vocabulary`; a title's genres, tags, maturity rating, runtime and cast all follow from
its main genre, so the catalogue reads like a real one.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.text import slugify

from catalog.maturity import MaturityRating
from catalog.models import Credit, Title
from recommendations.demo.draws import weighted, weighted_distinct
from recommendations.demo.vocabulary import (
    ADJECTIVES,
    ANIMALS,
    BASE_TAG_WEIGHT,
    CHARACTER_FORMS,
    CODAS,
    COMPLICATIONS,
    COUNTRIES,
    COUNTS,
    DARK_ADJECTIVES,
    DARK_GENRES,
    DARK_NOUNS,
    DOCUMENTARY_ANGLES,
    DOCUMENTARY_SUBJECTS,
    ELEMENTS,
    EPISODE_HOOKS,
    EPISODE_NAMES,
    FILM_RUNTIMES,
    FIRST_NAMES,
    GENRE_COMPANIONS,
    GENRE_HOOKS,
    GENRE_PREVALENCE,
    GENRE_TAGS,
    LAST_NAMES,
    LIGHT_ADJECTIVES,
    LIGHT_GENRES,
    LIGHT_NOUNS,
    MIDDLE_INITIALS,
    MOOD_CLOSERS,
    MOODS,
    MORE_EPISODE_NAMES,
    NOUNS,
    OCCUPATIONS,
    PLURALS,
    SETTINGS,
    SPANS,
    THEME_HOOKS,
    THEMES,
    VERBS,
)

FIRST_YEAR = 1960
LAST_YEAR = 2025
SERIES_SHARE = 0.15
MAX_PEOPLE = 30_000


@dataclass(frozen=True, slots=True)
class GenreSpec:
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class TagSpec:
    name: str
    slug: str
    kind: str


@dataclass(frozen=True, slots=True)
class PersonSpec:
    name: str
    slug: str
    birth_year: int


@dataclass(frozen=True, slots=True)
class CreditSpec:
    person: int  # index into DemoWorld.people
    role: str
    character: str
    billing_order: int


@dataclass(frozen=True, slots=True)
class EpisodeSpec:
    number: int
    name: str
    synopsis: str
    runtime_minutes: int


@dataclass(frozen=True, slots=True)
class SeasonSpec:
    number: int
    year: int
    episodes: tuple[EpisodeSpec, ...]


@dataclass(frozen=True, slots=True)
class TitleSpec:
    kind: str
    name: str
    slug: str
    synopsis: str
    year: int
    release_date: date
    runtime_minutes: int
    maturity_rating: str
    original_language: str
    country: str
    genres: tuple[str, ...]  # genre names
    tags: tuple[str, ...]  # tag names
    credits: tuple[CreditSpec, ...]
    seasons: tuple[SeasonSpec, ...]
    # Spreads "recently added" over two years instead of one instant.
    added_days_ago: int
    # How good the title is, shared by every taste group: roughly -1 to 1.
    quality: float


def people_build(
    rng: random.Random, *, titles: int
) -> tuple[tuple[PersonSpec, ...], list[int], list[int]]:
    """The pool of people, and its crew and cast as index lists sorted by birth year."""
    count = min(max(titles * 3 // 2, 60), MAX_PEOPLE)
    crew_count = max(12, count * 18 // 100)
    used_names: set[str] = set()
    used_slugs: set[str] = set()
    people: list[PersonSpec] = []
    for index in range(count):
        is_crew = index < crew_count
        name = ""
        for _attempt in range(5):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name not in used_names:
                break
        else:
            first, last = name.split(" ", 1)
            name = f"{first} {rng.choice(MIDDLE_INITIALS)}. {last}"
        used_names.add(name)
        slug = _unique_slug(slugify(name), used_slugs)
        used_slugs.add(slug)
        # Birth years follow the release years, so every era has people of working age.
        age = rng.randint(28, 62) if is_crew else rng.randint(9, 66)
        people.append(PersonSpec(name=name, slug=slug, birth_year=_year(rng) - age))
    by_birth = sorted(range(count), key=lambda i: (people[i].birth_year, i))
    crew = [i for i in by_birth if i < crew_count]
    cast = [i for i in by_birth if i >= crew_count]
    return tuple(people), crew, cast


def _pick_people(
    rng: random.Random,
    pool: list[int],
    births: list[int],
    *,
    year: int,
    youngest: int,
    oldest: int,
    count: int,
) -> list[int]:
    """`count` distinct people from `pool` aged `youngest`–`oldest` in `year` if possible."""
    low = bisect.bisect_left(births, year - oldest)
    high = bisect.bisect_right(births, year - youngest)
    if high - low < count * 3:
        low, high = 0, len(pool)
    return [pool[i] for i in rng.sample(range(low, high), count)]


def _credits_build(
    rng: random.Random,
    *,
    kind: str,
    year: int,
    genres: list[str],
    crew: list[int],
    crew_births: list[int],
    cast: list[int],
    cast_births: list[int],
) -> tuple[CreditSpec, ...]:
    credits: list[CreditSpec] = []
    lead_role = Credit.Role.CREATOR if kind == Title.Kind.SERIES else Credit.Role.DIRECTOR
    lead_count = rng.choice((1, 1, 2)) if kind == Title.Kind.SERIES else 1
    leads = _pick_people(
        rng, crew, crew_births, year=year, youngest=25, oldest=75, count=lead_count
    )
    credits += [
        CreditSpec(person=person, role=lead_role, character="", billing_order=order)
        for order, person in enumerate(leads, start=1)
    ]
    writers = _pick_people(
        rng, crew, crew_births, year=year, youngest=22, oldest=80, count=rng.randint(1, 2)
    )
    if rng.random() < 0.3 and leads[0] not in writers:
        # A writer-director (or writer-creator): same person, another role.
        writers[0] = leads[0]
    credits += [
        CreditSpec(person=person, role=Credit.Role.WRITER, character="", billing_order=order)
        for order, person in enumerate(writers, start=1)
    ]
    actors = _pick_people(
        rng, cast, cast_births, year=year, youngest=8, oldest=82, count=rng.randint(4, 8)
    )
    credits += [
        CreditSpec(
            person=person,
            role=Credit.Role.ACTOR,
            character=_character(rng, genres),
            billing_order=order,
        )
        for order, person in enumerate(actors, start=1)
    ]
    return tuple(credits)


def _character(rng: random.Random, genres: list[str]) -> str:
    if "Documentary" in genres:
        return "Self"
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if "Animation" in genres and rng.random() < 0.5:
        return f"{first} the {rng.choice(ANIMALS).capitalize()}"
    roll = rng.random()
    if roll < 0.55:
        return f"{first} {last}"
    if roll < 0.75:
        return first
    return rng.choice(CHARACTER_FORMS).format(first=first, last=last)


def _genres_pick(rng: random.Random) -> list[str]:
    main = weighted(rng, GENRE_PREVALENCE)
    genres = [main]
    count = rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    while len(genres) < count:
        companions: dict[str, float] = {}
        for genre in genres:
            for companion, weight in GENRE_COMPANIONS[genre].items():
                if companion not in genres:
                    companions[companion] = companions.get(companion, 0) + weight
        if not companions:
            break
        genres.append(weighted(rng, companions))
    return genres


def _tags_pick(rng: random.Random, genres: list[str]) -> list[str]:
    weights = dict.fromkeys(MOODS + THEMES, BASE_TAG_WEIGHT)
    for genre in genres:
        for tag, weight in GENRE_TAGS[genre].items():
            weights[tag] += weight
    return weighted_distinct(rng, weights, rng.choices((1, 2, 3, 4), weights=(20, 35, 30, 15))[0])


def _maturity(rng: random.Random, *, kind: str, genres: list[str]) -> str:
    edgy = any(genre in DARK_GENRES for genre in genres)
    for_kids = not edgy and any(genre in ("Animation", "Family") for genre in genres)
    rating = MaturityRating
    if kind == Title.Kind.SERIES:
        if for_kids:
            table = {rating.TV_Y: 25, rating.TV_Y7: 30, rating.TV_G: 30, rating.TV_PG: 15}
        elif edgy:
            table = {rating.TV_PG: 5, rating.TV_14: 40, rating.TV_MA: 55}
        else:
            table = {rating.TV_G: 8, rating.TV_PG: 27, rating.TV_14: 45, rating.TV_MA: 20}
    elif for_kids:
        table = {rating.G: 40, rating.PG: 45, rating.PG_13: 15}
    elif edgy:
        table = {rating.PG: 3, rating.PG_13: 35, rating.R: 56, rating.NC_17: 6}
    else:
        table = {rating.G: 6, rating.PG: 20, rating.PG_13: 42, rating.R: 30, rating.NC_17: 2}
    return weighted(rng, table)


def _name_parts(genres: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if any(genre in DARK_GENRES for genre in genres):
        return ADJECTIVES + DARK_ADJECTIVES, NOUNS + DARK_NOUNS
    if any(genre in LIGHT_GENRES for genre in genres):
        return ADJECTIVES + LIGHT_ADJECTIVES, NOUNS + LIGHT_NOUNS
    return ADJECTIVES, NOUNS


def _title_name(rng: random.Random, *, genres: list[str], city: str) -> str:
    adjectives, nouns = _name_parts(genres)
    adjective, noun = rng.choice(adjectives), rng.choice(nouns)
    plural, first = rng.choice(PLURALS), rng.choice(FIRST_NAMES)
    templates = {
        f"The {adjective} {noun}": 6,
        f"{adjective} {plural}": 3,
        f"{rng.choice(COUNTS)} {rng.choice(SPANS)} in {city}": 2,
        f"The {noun} of {city}": 2,
        f"The Last {noun}": 1,
        f"{rng.choice(ELEMENTS)} and {rng.choice(ELEMENTS)}": 1,
        f"{'An' if noun[0] in 'AEIOU' else 'A'} {noun} for {first}": 1,
        f"{city} {rng.choice(CODAS)}": 1,
        f"When the {noun} {rng.choice(VERBS)}": 1,
        f"{first} and the {adjective} {noun}": 2,
        f"Beneath the {adjective} {noun}": 1,
        f"The {plural} of {city}": 1,
    }
    name = weighted(rng, templates)
    # Both elements can come out the same ("Salt and Salt"): fall back to the classic form.
    parts = name.split(" and ")
    return f"The {adjective} {noun}" if len(parts) == 2 and parts[0] == parts[1] else name


def _synopsis(
    rng: random.Random, *, genres: list[str], tags: list[str], city: str, kind: str
) -> tuple[str, str]:
    """The synopsis, and the protagonist's first name (episodes reuse it)."""
    hero = rng.choice(FIRST_NAMES)
    if "Documentary" in genres:
        subject = rng.choice(DOCUMENTARY_SUBJECTS).format(city=city)
        what = "documentary series" if kind == Title.Kind.SERIES else "documentary"
        return f"This {what} follows {subject}. {rng.choice(DOCUMENTARY_ANGLES)}", hero
    themes = [tag for tag in tags if tag in THEME_HOOKS]
    hook_source = THEME_HOOKS[rng.choice(themes)] if themes else GENRE_HOOKS[genres[0]]
    hook = rng.choice(hook_source).format(city=city)
    if "Animation" in genres and rng.random() < 0.6:
        who = f"{hero}, a {rng.choice(('stubborn', 'tiny', 'curious', 'clumsy'))} young "
        who += rng.choice(ANIMALS)
    else:
        setting = rng.choice(SETTINGS).format(city=city)
        who = f"{hero} {rng.choice(LAST_NAMES)}, {rng.choice(OCCUPATIONS)} {setting},"
    sentences = [f"{who} {hook}.", rng.choice(COMPLICATIONS[genres[0]])]
    moods = [tag for tag in tags if tag in MOOD_CLOSERS]
    if moods:
        sentences.append(MOOD_CLOSERS[rng.choice(moods)])
    return " ".join(sentences), hero


def _runtime(rng: random.Random, *, kind: str, genres: list[str]) -> int:
    if kind == Title.Kind.SERIES:
        short = any(genre in ("Comedy", "Animation", "Family") for genre in genres)
        return rng.choice((22, 24, 25, 28, 30) if short else (42, 44, 45, 48, 50, 52, 55, 58, 60))
    mean = sum(FILM_RUNTIMES.get(genre, 105) for genre in genres) / len(genres)
    return min(170, max(78, round(rng.gauss(mean, 14))))


def _unused_episode_name(drawn: str, used: set[str]) -> str:
    """`drawn`, or the next name after it not used by the series yet.

    Walking on from the drawn name, instead of drawing again, keeps the random stream, and
    so every title and history after this series, as it was.
    """
    names = EPISODE_NAMES + MORE_EPISODE_NAMES
    start = names.index(drawn)
    for name in names[start:] + names[:start]:
        if name not in used:
            return name
    raise ValueError(f"a series needs more than {len(names)} episode names")


def _seasons_build(
    rng: random.Random, *, year: int, runtime: int, hero: str
) -> tuple[SeasonSpec, ...]:
    # No season airs after LAST_YEAR: a 2024 series has at most two.
    season_count = min(
        rng.choices((1, 2, 3, 4, 5), weights=(35, 25, 18, 12, 10))[0], LAST_YEAR - year + 1
    )
    seasons = []
    used: set[str] = set()
    for number in range(1, season_count + 1):
        episodes = []
        for episode_number in range(1, rng.randint(6, 10) + 1):
            if number == 1 and episode_number == 1 and rng.random() < 0.4:
                name = "Pilot"
            else:
                name = _unused_episode_name(rng.choice(EPISODE_NAMES), used)
            used.add(name)
            synopsis = f"{hero} {rng.choice(EPISODE_HOOKS)}."
            episodes.append(
                EpisodeSpec(
                    number=episode_number,
                    name=name,
                    synopsis=synopsis,
                    runtime_minutes=min(60, max(22, runtime + rng.randint(-3, 4))),
                )
            )
        seasons.append(SeasonSpec(number=number, year=year + number - 1, episodes=tuple(episodes)))
    return tuple(seasons)


def titles_build(
    rng: random.Random,
    *,
    count: int,
    people: tuple[PersonSpec, ...],
    crew: list[int],
    cast: list[int],
) -> tuple[TitleSpec, ...]:
    # `crew` and `cast` arrive sorted by birth year, so bisecting these parallel lists finds
    # who was of working age when a title was made.
    crew_births = [people[i].birth_year for i in crew]
    cast_births = [people[i].birth_year for i in cast]
    country_weights = [weight for _c, _l, weight, _cities in COUNTRIES]
    used_names: set[str] = set()
    used_slugs: set[str] = set()
    titles: list[TitleSpec] = []
    for _index in range(count):
        kind = Title.Kind.SERIES if rng.random() < SERIES_SHARE else Title.Kind.MOVIE
        genres = _genres_pick(rng)
        tags = _tags_pick(rng, genres)
        year = _year(rng)
        country, language, _weight, cities = rng.choices(COUNTRIES, weights=country_weights)[0]
        city = rng.choice(cities) if rng.random() < 0.7 else rng.choice(rng.choice(COUNTRIES)[3])
        name = ""
        for _attempt in range(12):
            name = _title_name(rng, genres=genres, city=city)
            if name not in used_names:
                break
        # After a dozen misses the name stays: a remake, told apart by the year in its slug.
        used_names.add(name)
        slug = _unique_slug(slugify(name), used_slugs, year=year)
        used_slugs.add(slug)
        synopsis, hero = _synopsis(rng, genres=genres, tags=tags, city=city, kind=kind)
        runtime = _runtime(rng, kind=kind, genres=genres)
        days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        titles.append(
            TitleSpec(
                kind=kind,
                name=name,
                slug=slug,
                synopsis=synopsis,
                year=year,
                release_date=date(year, 1, 1) + timedelta(days=rng.randrange(days_in_year)),
                runtime_minutes=runtime,
                maturity_rating=_maturity(rng, kind=kind, genres=genres),
                original_language=language,
                country=country,
                genres=tuple(genres),
                tags=tuple(tags),
                credits=_credits_build(
                    rng,
                    kind=kind,
                    year=year,
                    genres=genres,
                    crew=crew,
                    crew_births=crew_births,
                    cast=cast,
                    cast_births=cast_births,
                ),
                seasons=(
                    _seasons_build(rng, year=year, runtime=runtime, hero=hero)
                    if kind == Title.Kind.SERIES
                    else ()
                ),
                added_days_ago=rng.randrange(730),
                quality=max(-1.0, min(1.0, rng.gauss(0, 0.45))),
            )
        )
    return tuple(titles)


def _year(rng: random.Random) -> int:
    # Skewed towards recent years, as streaming catalogues are.
    return LAST_YEAR - int((LAST_YEAR - FIRST_YEAR + 1) * rng.random() ** 1.7)


def _unique_slug(slug: str, taken: set[str], *, year: int | None = None) -> str:
    if slug not in taken:
        return slug
    if year is not None and f"{slug}-{year}" not in taken:
        return f"{slug}-{year}"
    base = f"{slug}-{year}" if year is not None else slug
    counter = 2
    while f"{base}-{counter}" in taken:
        counter += 1
    return f"{base}-{counter}"
