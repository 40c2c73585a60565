"""Reads of the public catalogue. Every query here honours publication and the profile's
maturity limit, so no view can forget either."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from accounts.models import Profile
from catalog.models import Credit, Genre, Person, Season, Title

PAGE_SIZE = 24
ROW_SIZE = 18


class MaturityForbidden(PermissionDenied):
    """The title exists but is above the current profile's maturity limit."""


# A card shows the viewer's own rating, My List and progress. Those are recommendations'
# data, an app above this one: it registers how to annotate them (its AppConfig.ready),
# so the catalogue's pages show them without this app importing it.
CardState = Callable[[QuerySet[Title], Profile], QuerySet[Title]]
_card_states: list[CardState] = []


def card_state_register(annotate: CardState) -> None:
    if annotate not in _card_states:
        _card_states.append(annotate)


def with_viewer_state(titles: QuerySet[Title], profile: Profile | None) -> QuerySet[Title]:
    """`titles` annotated with what the viewer did with each, in the same query."""
    if profile is None:
        return titles
    for annotate in _card_states:
        titles = annotate(titles, profile)
    return titles


def card_titles(titles: QuerySet[Title]) -> QuerySet[Title]:
    """Only the columns a card shows: poster, name, year, kind."""
    return titles.only(
        "id", "slug", "name", "year", "kind", "poster", "maturity_rating", "runtime_minutes"
    )


def card_queryset(titles: QuerySet[Title], profile: Profile | None) -> QuerySet[Title]:
    # With the profile's rating, list and progress annotated in the same query.
    return with_viewer_state(card_titles(titles), profile)


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
    titles = Title.objects.visible_to(profile)
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
    visible = Title.objects.visible_to(profile)
    return list(
        Genre.objects.annotate(
            title_count=Count("titles", filter=Q(titles__in=visible.values("pk")))
        )
        .filter(title_count__gt=0)
        .order_by("name")
    )


@dataclass(frozen=True)
class Row:
    """A row of cards as a template draws it (the catalogue's home, a profile's plan)."""

    key: str
    heading: str
    titles: list[Title]
    see_all_url: str
    numbered: bool = False  # ranked: each card shows its number (Top 10)


def home_rows(*, profile: Profile | None, genre_rows: int = 6) -> list[Row]:
    """The catalogue home: trending, newest additions, then the genres with most titles.

    What a visitor without a profile sees; a profile's home is its plan
    (recommendations), which leaves out the titles it is not interested in.
    """
    visible = Title.objects.visible_to(profile)
    trending = visible.filter(trending__isnull=False).order_by("-trending__score", "id")
    rows = [
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
    title = with_viewer_state(queryset, profile).filter(slug=slug).first()
    if title is None:
        raise Http404("No such title.")
    if not title.within_limit(profile):
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
    visible = Title.objects.visible_to(profile)
    credits = list(
        Credit.objects.filter(person=person, title__in=visible.values("pk"))
        .select_related("title")
        .order_by("-title__year", "title__name", "billing_order")
    )
    # A person known only for hidden titles has no public page.
    if not credits:
        raise Http404("No such person.")
    return Filmography(person=person, credits=credits)
