"""Reads of the public catalogue. Every query here honours publication and the profile's
maturity limit, so no view can forget either."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Greatest
from django.http import Http404

from accounts.models import Profile
from catalog.maturity import ratings_up_to
from catalog.models import Credit, Genre, Person, Season, Title
from recommendations.models import NotInterested
from recommendations.selectors import titles_with_profile_state, top_picks

PAGE_SIZE = 24
ROW_SIZE = 18
SEARCH_LIMIT = 30

# Shared with the migration that builds the GIN index, so the planner can use it.
SEARCH_CONFIG = "english"


def title_search_vector() -> SearchVector:
    return SearchVector("name", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "synopsis", weight="B", config=SEARCH_CONFIG
    )


class MaturityForbidden(PermissionDenied):
    """The title exists but is above the current profile's maturity limit."""


def _allowed_ratings(profile: Profile | None) -> list[str] | None:
    if profile is None or profile.max_maturity_age >= 18:
        return None
    return ratings_up_to(profile.max_maturity_age)


def title_visible_queryset(*, profile: Profile | None) -> QuerySet[Title]:
    return Title.objects.visible_to(profile)


def card_titles(titles: QuerySet[Title]) -> QuerySet[Title]:
    """Only the columns a card shows: poster, name, year, kind."""
    return titles.only(
        "id", "slug", "name", "year", "kind", "poster", "maturity_rating", "runtime_minutes"
    )


def card_queryset(titles: QuerySet[Title], profile: Profile | None) -> QuerySet[Title]:
    # With the profile's rating, list and progress annotated in the same query.
    return titles_with_profile_state(card_titles(titles), profile=profile)


@dataclass(frozen=True)
class TitlePage:
    titles: list[Title]
    number: int
    has_next: bool

    @property
    def next_number(self) -> int:
        return self.number + 1


def _page(titles: QuerySet[Title], number: int) -> TitlePage:
    number = max(number, 1)
    start = (number - 1) * PAGE_SIZE
    # One query: fetch one extra row to learn whether a next page exists, no COUNT(*).
    rows = list(titles[start : start + PAGE_SIZE + 1])
    return TitlePage(titles=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)


BROWSE_ORDERS = {
    # Titles nobody watched this week come after the trending ones, on every database.
    "trending": (F("trending__score").desc(nulls_last=True), "name", "id"),
    "new": ("-added_at", "-id"),
    "az": ("name", "year", "id"),
    "year": ("-year", "name", "id"),
}


def title_browse(
    *,
    profile: Profile | None,
    genre: Genre | None = None,
    kind: str | None = None,
    order: str = "year",
    page: int = 1,
) -> TitlePage:
    titles = title_visible_queryset(profile=profile)
    if genre is not None:
        titles = titles.filter(genres=genre)
    if kind in Title.Kind.values:
        titles = titles.filter(kind=kind)
    titles = titles.order_by(*BROWSE_ORDERS.get(order, BROWSE_ORDERS["year"]))
    return _page(card_queryset(titles, profile), page)


def genre_get(*, slug: str) -> Genre:
    try:
        return Genre.objects.get(slug=slug)
    except Genre.DoesNotExist:
        raise Http404("No such genre.") from None


def genre_list(*, profile: Profile | None) -> list[Genre]:
    visible = title_visible_queryset(profile=profile)
    return list(
        Genre.objects.annotate(
            title_count=Count("titles", filter=Q(titles__in=visible.values("pk")))
        )
        .filter(title_count__gt=0)
        .order_by("name")
    )


@dataclass(frozen=True)
class Row:
    key: str
    heading: str
    titles: list[Title]
    see_all_url: str


def home_rows(*, profile: Profile | None, genre_rows: int = 6) -> list[Row]:
    """The catalogue home: trending, newest additions, then the genres with most titles."""
    from django.urls import reverse

    visible = title_visible_queryset(profile=profile)
    if profile is not None:
        # "Not interested" hides a title from every row (browse and search still find it).
        visible = visible.exclude(
            Exists(NotInterested.objects.filter(profile=profile, title=OuterRef("pk")))
        )
    trending = visible.filter(trending__isnull=False).order_by("-trending__score", "id")
    rows = []
    if profile is not None:
        picks = top_picks(profile=profile, visible=card_queryset(visible, None))
        rows.append(
            Row(
                key="top-picks",
                heading=f"Top picks for {profile.name}",
                titles=picks,
                see_all_url=reverse("recommendations:top_picks"),
            )
        )
    rows += [
        Row(
            key="trending",
            heading="Trending now",
            titles=list(card_queryset(trending, profile)[:ROW_SIZE]),
            see_all_url=reverse("catalog:browse") + "?order=trending",
        ),
        Row(
            key="new",
            heading="New on Marquee",
            titles=list(card_queryset(visible.order_by("-added_at", "-id"), profile)[:ROW_SIZE]),
            see_all_url=reverse("catalog:browse") + "?order=new",
        ),
    ]
    genres = (
        Genre.objects.annotate(n=Count("titles", filter=Q(titles__in=visible.values("pk"))))
        .filter(n__gt=0)
        .order_by("-n", "name")[:genre_rows]
    )
    for genre in genres:
        titles = list(
            card_queryset(visible.filter(genres=genre).order_by("-year", "name"), profile)[
                :ROW_SIZE
            ]
        )
        rows.append(
            Row(
                key=f"genre-{genre.slug}",
                heading=genre.name,
                titles=titles,
                see_all_url=genre.get_absolute_url(),
            )
        )
    return [row for row in rows if row.titles]


def title_detail(*, slug: str, profile: Profile | None) -> Title:
    """A published title with everything its page shows, or 404; 403 above the maturity limit."""
    queryset = Title.objects.filter(is_published=True).prefetch_related(
        "genres",
        "tags",
        Prefetch(
            "credits",
            queryset=Credit.objects.select_related("person").order_by("billing_order", "id"),
        ),
        Prefetch(
            "seasons", queryset=Season.objects.prefetch_related("episodes").order_by("number")
        ),
    )
    title = titles_with_profile_state(queryset, profile=profile).filter(slug=slug).first()
    if title is None:
        raise Http404("No such title.")
    allowed = _allowed_ratings(profile)
    if allowed is not None and title.maturity_rating not in allowed:
        raise MaturityForbidden(title.name)
    return title


@dataclass(frozen=True)
class Filmography:
    person: Person
    credits: list[Credit]


def person_detail(*, slug: str, profile: Profile | None) -> Filmography:
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        raise Http404("No such person.")
    visible = title_visible_queryset(profile=profile)
    credits = list(
        Credit.objects.filter(person=person, title__in=visible.values("pk"))
        .select_related("title")
        .order_by("-title__year", "title__name", "billing_order")
    )
    # A person known only for hidden titles has no public page.
    if not credits:
        raise Http404("No such person.")
    return Filmography(person=person, credits=credits)


@dataclass(frozen=True)
class SearchResults:
    query: str
    titles: list[Title]
    people: list[Person]


def search(*, query: str, profile: Profile | None, limit: int = SEARCH_LIMIT) -> SearchResults:
    # PostgreSQL refuses a NUL character in any text parameter; it is no search word anyway.
    query = " ".join(query.replace("\x00", " ").split())[:100]
    if not query:
        return SearchResults(query="", titles=[], people=[])
    visible = title_visible_queryset(profile=profile)
    if connection.vendor == "postgresql":
        ids = _search_title_ids_postgres(visible, query, limit)
        found = card_queryset(Title.objects.all(), profile).in_bulk(ids)
        titles = [found[pk] for pk in ids]
        # iregex becomes PostgreSQL's ~* operator, which the trigram index serves;
        # icontains (UPPER ... LIKE) could not use it.
        people = (
            Person.objects.filter(
                Q(name__iregex=re.escape(query)) | Q(name__trigram_word_similar=query)
            )
            .filter(Exists(Credit.objects.filter(person=OuterRef("pk"), title__in=visible)))
            .annotate(similarity=TrigramWordSimilarity(query, "name"))
            .order_by("-similarity", "name")
        )
    else:
        titles = list(
            card_queryset(
                visible.filter(Q(name__icontains=query) | Q(synopsis__icontains=query)).order_by(
                    "name", "year"
                ),
                profile,
            )[:limit]
        )
        people = (
            Person.objects.filter(name__icontains=query, credits__title__in=visible.values("pk"))
            .distinct()
            .order_by("name")
        )
    return SearchResults(query=query, titles=titles, people=list(people[:8]))


def _prefix_tsquery(query: str) -> SearchQuery | None:
    """All words, the last one as a prefix, so results appear while a word is being typed."""
    words = re.findall(r"\w+", query)
    if not words:
        return None
    terms = [*words[:-1], f"{words[-1]}:*"]
    return SearchQuery(" & ".join(terms), search_type="raw", config=SEARCH_CONFIG)


def _search_title_ids_postgres(visible: QuerySet[Title], query: str, limit: int) -> list[int]:
    """Ids of the best matches: full-text rank, then trigram similarity for typos.

    Separate queries, each served by its own GIN index: with one OR, PostgreSQL rechecks
    the whole condition and recomputes the synopsis tsvector for every row the trigram
    index proposes. The trigram query (a scan of names) runs only when full text found
    fewer than `limit` titles, which is when the words are misspelt.
    """
    scores: dict[int, float] = {}
    text_query = _prefix_tsquery(query)
    if text_query is not None:
        ranked = (
            visible.annotate(search=title_search_vector())
            .filter(search=text_query)
            .annotate(score=SearchRank(title_search_vector(), text_query))
            .order_by("-score", "pk")
            .values_list("pk", "score")[:limit]
        )
        # Full-text matches always come before mere look-alikes.
        scores = {pk: 1.0 + score for pk, score in ranked}
    if len(scores) < limit:
        similar = (
            visible.filter(Q(name__trigram_similar=query) | Q(name__trigram_word_similar=query))
            .exclude(pk__in=list(scores))
            .annotate(
                score=Greatest(
                    TrigramSimilarity("name", query), TrigramWordSimilarity(query, "name")
                )
            )
            .order_by("-score", "pk")
            .values_list("pk", "score")[: limit - len(scores)]
        )
        scores.update(similar)
    return sorted(scores, key=lambda pk: (-scores[pk], pk))
