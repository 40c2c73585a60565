"""Search of the catalogue, the same on SQLite and PostgreSQL: typos, words in any order,
accents, and the people, genres, moods and themes the words name, each result saying why.

The database proposes a bounded set of candidates (SQLite: FTS5 trigram tables kept by
triggers, catalog/search_index.py; PostgreSQL: full text and pg_trgm on unaccented
names); catalog/search_text.py decides, the same way on both, what matches and how
well. Titles are ranked in tiers: their own name holds every word; a person, genre,
mood or theme the words name; the synopsis holds every word; a name that only looks
alike (a typo). Within a tier, the closer match, then the most watched, then the newest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.text import capfirst

from accounts.models import Profile
from catalog import search_text
from catalog.models import Credit, Genre, Person, Tag, Title, title_visibility
from catalog.selectors import card_queryset

SEARCH_LIMIT = 30

# Built by migration 0004 (english, unaccented first). The selector's expression must
# compile to the index's, so the planner can use it (tests/catalog/test_search_index.py).
SEARCH_CONFIG = "marquee_english"


def title_search_vector() -> SearchVector:
    return SearchVector("name", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "synopsis", weight="B", config=SEARCH_CONFIG
    )


class Unaccented(Func):
    """PostgreSQL's marquee_unaccent(text) (migration 0004): what the trigram indexes hold."""

    function = "marquee_unaccent"
    output_field = CharField()


# Candidates asked of the database per result shown: enough for the re-ranking to choose.
CANDIDATES_PER_RESULT = 3
# People, genres and tags proposed per kind; those whose titles are listed; those shown.
NAMED_CANDIDATES = 20
NAMED_EXPANDED = 10
PEOPLE_SHOWN = 8
GENRES_SHOWN = 4
# Named things this close to the best one also bring their titles ("wes" names the
# person Wes Ford exactly and the genre Western only by a prefix: only Wes Ford's titles).
NAMED_BAND = 0.05

NAME, NAMED, SYNOPSIS, LOOK_ALIKE = 4, 3, 2, 1
IN_SYNOPSIS = "In the synopsis"
# A person's credit, as the "why" says it, most telling first.
ROLE_WORDS = {
    Credit.Role.DIRECTOR: "Director",
    Credit.Role.CREATOR: "Creator",
    Credit.Role.ACTOR: "Cast",
    Credit.Role.WRITER: "Writer",
}
ROLE_ORDER = {role: position for position, role in enumerate(ROLE_WORDS)}
# The same order in SQL (the facet query's LIMIT) and in Python (the final sort).
POPULAR_FIRST = (
    F("trending__score").desc(nulls_last=True),
    F("year").desc(nulls_last=True),
    "name",
    "pk",
)
CANDIDATE_FIELDS = ("pk", "name", "trending__score", "year")


@dataclass(frozen=True)
class SearchHit:
    title: Title
    # Why the title is here ("Genre: Western", "Cast: Mira Solvang"); empty when its own
    # name holds the words, which the card already shows.
    why: str


@dataclass(frozen=True)
class Named:
    """A person, genre, mood or theme the query names."""

    kind: str  # "person", "genre" or "tag"
    pk: int
    name: str
    slug: str
    tag_kind: str
    match: search_text.Match

    @cached_property
    def url(self) -> str:
        if self.kind == "person":
            return reverse("catalog:person", args=[self.slug])
        if self.kind == "genre":
            return reverse("catalog:genre", args=[self.slug])
        return ""

    def why(self, role: str = "") -> str:
        if self.kind == "person":
            return f"{ROLE_WORDS.get(role, 'Cast')}: {self.name}"
        if self.kind == "genre":
            return f"Genre: {self.name}"
        label = Tag.Kind(self.tag_kind).label if self.tag_kind in Tag.Kind.values else "Tag"
        return f"{label}: {capfirst(self.name)}"


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    people: list[Named]
    genres: list[Named]

    @property
    def titles(self) -> list[Title]:
        return [hit.title for hit in self.hits]


@dataclass
class _Candidate:
    pk: int
    name: str
    popularity: float | None
    year: int | None
    tier: int = 0
    score: float = 0.0
    why: str = ""

    def offer(self, tier: int, score: float, why: str) -> None:
        # A title found several ways keeps the best; on a tie, the first reason offered.
        if (tier, score) > (self.tier, self.score):
            self.tier, self.score, self.why = tier, score, why

    def order(self) -> tuple[object, ...]:
        return (
            -self.tier,
            -self.score,
            self.popularity is None,
            -(self.popularity or 0.0),
            self.year is None,
            -(self.year or 0),
            self.name,
            self.pk,
        )


class _Ranking:
    """The candidate titles met so far, each with its best tier, score and reason."""

    def __init__(self) -> None:
        self.candidates: dict[int, _Candidate] = {}

    def candidate(self, row: tuple[Any, ...]) -> _Candidate:
        """The candidate for a row of CANDIDATE_FIELDS, met before or new."""
        pk, name, popularity, year = row[:4]
        found = self.candidates.get(pk)
        if found is None:
            found = self.candidates[pk] = _Candidate(pk, name, popularity, year)
        return found

    def count(self, tier: int) -> int:
        return sum(found.tier == tier for found in self.candidates.values())

    def best(self, limit: int) -> list[_Candidate]:
        found = (c for c in self.candidates.values() if c.tier)
        return sorted(found, key=_Candidate.order)[:limit]


def search(*, query: str, profile: Profile | None, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Titles, people and genres for the words of `query`, best first, each title with why.

    At most six queries, whatever the catalogue holds: titles holding every word, names
    that look alike (only while fewer than `limit` titles hold every word), the people,
    genres and tags named, the titles of the best of those and which of them each title
    has (only while fewer than `limit` names hold every word), and the cards.
    """
    query = search_text.query_clean(query)
    words = search_text.query_words(query)
    if not words:
        return SearchResults(query=query, hits=[], people=[], genres=[])
    visible = Title.objects.visible_to(profile)
    ranking = _Ranking()
    bound = limit * CANDIDATES_PER_RESULT

    with_words = _titles_with_words(visible, words, bound)
    for row in with_words:
        found = ranking.candidate(row)
        match = search_text.text_match(words, found.name)
        # PostgreSQL also says whether the name alone matched (stemmed: "running", "run").
        name_hit = bool(row[4]) if len(row) > 4 else False
        if (match is not None and match.full) or name_hit:
            found.offer(NAME, match.score if match else search_text.FULL, "")
        else:
            found.offer(SYNOPSIS, 0.0, IN_SYNOPSIS)
    if len(with_words) < limit:
        others = visible.exclude(pk__in=list(ranking.candidates))
        for row in _titles_named_alike(others, words, bound):
            found = ranking.candidate(row)
            match = search_text.text_match(words, found.name)
            if match is not None:
                found.offer(NAME if match.full else LOOK_ALIKE, match.score, "")

    named = _named(profile, words)
    # Titles of named things rank below names holding every word: a page of those is final.
    if named and ranking.count(NAME) < limit:
        _titles_of_named(visible, named, limit, ranking)

    best = ranking.best(limit)
    cards = card_queryset(Title.objects.filter(pk__in=[c.pk for c in best]), profile).in_bulk()
    return SearchResults(
        query=query,
        hits=[SearchHit(title=cards[c.pk], why=c.why) for c in best if c.pk in cards],
        people=[thing for thing in named if thing.kind == "person"][:PEOPLE_SHOWN],
        genres=[thing for thing in named if thing.kind == "genre"][:GENRES_SHOWN],
    )


def _named(profile: Profile | None, words: list[str]) -> list[Named]:
    """People (with a title the profile may see), genres and tags the words name, best first."""
    named = []
    for kind, pk, name, slug, tag_kind in _named_rows(profile, words):
        match = search_text.text_match(words, name)
        if match is not None:
            named.append(Named(kind, pk, name, slug, tag_kind, match))
    named.sort(key=lambda thing: (not thing.match.full, -thing.match.score, thing.name, thing.pk))
    if named and named[0].match.full:
        # "western" names the genre: the Westergaards only look alike.
        return [thing for thing in named if thing.match.full]
    return named


def _titles_of_named(
    visible: QuerySet[Title],
    named: list[Named],
    limit: int,
    ranking: _Ranking,
) -> None:
    """Offer the most watched titles of the best named things, each with its "why"."""
    best = named[0].match
    chosen = [
        thing
        for thing in named
        if thing.match.full == best.full and thing.match.score >= best.score - NAMED_BAND
    ][:NAMED_EXPANDED]
    ids = {kind: [t.pk for t in chosen if t.kind == kind] for kind in ("person", "genre", "tag")}
    genre_links = Title.genres.through.objects
    tag_links = Title.tags.through.objects
    # IN (a list) rather than EXISTS per title: SQLite then reads only the named things'
    # titles (25 ms instead of 85 ms for a genre of 2,700 titles among 50,000).
    condition = Q()
    if ids["person"]:
        condition |= Q(pk__in=Credit.objects.filter(person__in=ids["person"]).values("title_id"))
    if ids["genre"]:
        condition |= Q(pk__in=genre_links.filter(genre__in=ids["genre"]).values("title_id"))
    if ids["tag"]:
        condition |= Q(pk__in=tag_links.filter(tag__in=ids["tag"]).values("title_id"))
    rows = list(
        visible.filter(condition).order_by(*POPULAR_FIRST).values_list(*CANDIDATE_FIELDS)[:limit]
    )
    if not rows:
        return
    titles = [row[0] for row in rows]
    # Which chosen things each title has: one query for the three kinds.
    parts = []
    if ids["person"]:
        parts.append(
            Credit.objects.filter(title__in=titles, person__in=ids["person"])
            .annotate(link_kind=Value("person"), link_id=F("person_id"), link_role=F("role"))
            .values_list("title_id", "link_kind", "link_id", "link_role")
        )
    if ids["genre"]:
        parts.append(
            genre_links.filter(title__in=titles, genre__in=ids["genre"])
            .annotate(link_kind=Value("genre"), link_id=F("genre_id"), link_role=Value(""))
            .values_list("title_id", "link_kind", "link_id", "link_role")
        )
    if ids["tag"]:
        parts.append(
            tag_links.filter(title__in=titles, tag__in=ids["tag"])
            .annotate(link_kind=Value("tag"), link_id=F("tag_id"), link_role=Value(""))
            .values_list("title_id", "link_kind", "link_id", "link_role")
        )
    links = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    position = {(thing.kind, thing.pk): i for i, thing in enumerate(chosen)}
    links.sort(key=lambda link: (position[(link[1], link[2])], ROLE_ORDER.get(link[3], 0)))
    things = {(thing.kind, thing.pk): thing for thing in chosen}
    by_title = {row[0]: row for row in rows}
    for title_id, kind, pk, role in links:
        thing = things[(kind, pk)]
        found = ranking.candidate(by_title[title_id])
        found.offer(NAMED if thing.match.full else LOOK_ALIKE, thing.match.score, thing.why(role))


# The database's part: candidates only, each query bounded.


def _titles_with_words(
    visible: QuerySet[Title], words: list[str], bound: int
) -> list[tuple[Any, ...]]:
    """Titles whose name or synopsis holds every word, best first (rows CANDIDATE_FIELDS)."""
    if connection.vendor == "postgresql":
        text_query = _prefix_tsquery(words)
        return list(
            visible.alias(search=title_search_vector(), name_vector=_name_vector())
            .filter(search=text_query)
            .annotate(
                rank=SearchRank(title_search_vector(), text_query),
                name_hit=ExpressionWrapper(Q(name_vector=text_query), output_field=BooleanField()),
            )
            .order_by("-rank", "pk")
            .values_list(*CANDIDATE_FIELDS, "name_hit")[:bound]
        )
    match = search_text.fts5_all_words(words)
    here = visible.filter(pk=_fts5_rowid("catalog_title_fts"))
    if match is not None:
        found = _fts5_rowids("catalog_title_fts", match, here, bound)
    else:
        # Only words shorter than a trigram ("up"): the start of a word in a name.
        found = _fts5_name_starts("catalog_title_fts", words, here, bound)
    return list(Title.objects.filter(pk__in=found).values_list(*CANDIDATE_FIELDS))


def _titles_named_alike(
    visible: QuerySet[Title], words: list[str], bound: int
) -> list[tuple[Any, ...]]:
    """Titles whose name shares trigrams with the words: the candidates for a typo."""
    if connection.vendor == "postgresql":
        folded = " ".join(words)
        return list(
            _trigram_filter(visible, folded)
            .annotate(similarity=_trigram_similarity(folded))
            .order_by("-similarity", "pk")
            .values_list(*CANDIDATE_FIELDS)[:bound]
        )
    match = search_text.fts5_any_trigram(words, "name")
    if match is None:
        return []
    here = visible.filter(pk=_fts5_rowid("catalog_title_fts"))
    found = _fts5_rowids("catalog_title_fts", match, here, bound)
    return list(Title.objects.filter(pk__in=found).values_list(*CANDIDATE_FIELDS))


def _named_rows(profile: Profile | None, words: list[str]) -> list[tuple[Any, ...]]:
    """(kind, pk, name, slug, tag kind) of people, genres and tags whose names share
    trigrams with the words, in one query; each with a title the profile may see."""
    visible = title_visibility(profile, through="title__")
    links = {
        "person": (Person, Credit.objects.filter(visible), "person_id"),
        "genre": (Genre, Title.genres.through.objects.filter(visible), "genre_id"),
        "tag": (Tag, Title.tags.through.objects.filter(visible), "tag_id"),
    }
    parts = []
    if connection.vendor == "postgresql":
        folded = " ".join(words)
        for kind, (model, seen, column) in links.items():
            things = model.objects.filter(Exists(seen.filter(**{column: OuterRef("pk")})))
            parts.append(
                _named_values(
                    _trigram_filter(things, folded)
                    .annotate(similarity=_trigram_similarity(folded))
                    .order_by("-similarity", "pk"),
                    kind,
                )[:NAMED_CANDIDATES]
            )
    else:
        match = search_text.fts5_any_trigram(words, "name")
        if match is None:
            return []
        for kind, (model, seen, column) in links.items():
            index = f"catalog_{kind}_fts"
            seen_here = seen.filter(**{column: _fts5_rowid(index)})
            found = _fts5_rowids(index, match, seen_here, NAMED_CANDIDATES)
            parts.append(_named_values(model.objects.filter(pk__in=found).order_by(), kind))
    return list(parts[0].union(*parts[1:], all=True))


def _named_values(things: QuerySet, kind: str) -> QuerySet:
    # Tag.kind says mood or theme; the other kinds have none. The same columns for all.
    tag_kind = F("kind") if kind == "tag" else Value("")
    return things.annotate(
        named_kind=Value(kind), named_tag_kind=ExpressionWrapper(tag_kind, CharField())
    ).values_list("named_kind", "pk", "name", "slug", "named_tag_kind")


def _prefix_tsquery(words: list[str]) -> SearchQuery:
    """All words, the last one as a prefix, so results appear while a word is being typed.

    Not a prefix of one or two letters: "the g" ranked every title that has a word in g
    (3.3 s on 50,000 titles); the look-alike query finds such names.
    """
    last = words[-1] if len(words[-1]) < 3 else f"{words[-1]}:*"
    terms = [*words[:-1], last]
    return SearchQuery(" & ".join(terms), search_type="raw", config=SEARCH_CONFIG)


def _name_vector() -> SearchVector:
    return SearchVector("name", config=SEARCH_CONFIG)


def _trigram_filter(things: QuerySet, folded: str) -> QuerySet:
    # Both operators are served by the trigram index on marquee_unaccent(name): the whole
    # name alike ("arival"), or a run of its words alike ("thundr" in "Thunder in the Dust").
    return things.alias(folded_name=Unaccented("name")).filter(
        Q(folded_name__trigram_similar=folded) | Q(folded_name__trigram_word_similar=folded)
    )


def _trigram_similarity(folded: str) -> Greatest:
    return Greatest(
        TrigramSimilarity(Unaccented("name"), folded),
        TrigramWordSimilarity(folded, Unaccented("name")),
    )


def _fts5_rowid(index: str) -> RawSQL:
    """The rowid of the FTS5 index row being looked at, for a query correlated to it."""
    return RawSQL(f"{index}.rowid", (), output_field=IntegerField())


def _fts5_rowids(index: str, match: str, allowed: QuerySet, bound: int) -> RawSQL:
    """The best `bound` rows of an FTS5 index for `match` (bm25), among those for which
    `allowed` (correlated by _fts5_rowid) has a row.

    The condition is inside the subquery so that the bound applies after the maturity
    limit: a kids profile gets as many candidates as anyone. It is an EXISTS per matching
    row, cheap with a LIMIT: `rowid IN (every visible title)` made SQLite run the
    full-text query once per title (0.6 s instead of 0.2 ms on 2,000 titles).
    """
    sql, params = allowed.order_by().values("pk")[:1].query.sql_with_params()
    return RawSQL(
        f"SELECT rowid FROM {index} WHERE {index} MATCH %s AND EXISTS ({sql}) "
        "ORDER BY rank LIMIT %s",
        (match, *params, bound),
    )


def _fts5_name_starts(index: str, words: list[str], allowed: QuerySet, bound: int) -> RawSQL:
    """Rows whose folded name has a word starting with each of `words` (alphanumeric only:
    nothing in them is a LIKE wildcard)."""
    sql, params = allowed.order_by().values("pk")[:1].query.sql_with_params()
    starts = " AND ".join("(' ' || name) LIKE %s" for _ in words)
    return RawSQL(
        f"SELECT rowid FROM {index} WHERE {starts} AND EXISTS ({sql}) LIMIT %s",
        (*[f"% {word}%" for word in words], *params, bound),
    )
