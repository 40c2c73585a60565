from __future__ import annotations

from decimal import Decimal

import factory
from django.utils.text import slugify

from accounts.models import Profile, User
from catalog.models import Credit, Episode, Genre, Person, Season, Tag, Title
from recommendations.models import (
    ListItem,
    NotInterested,
    Rating,
    TasteExclusion,
    Thumbs,
    WatchProgress,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"viewer{n}@example.com")
    name = factory.Faker("first_name")
    password = factory.django.Password("correct horse battery")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    account = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Viewer {n}")


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Genre {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"mood {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Tag.Kind.MOOD


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person Number{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class TitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Title
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Title {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    year = 2001
    runtime_minutes = 100
    synopsis = "A story told in a hundred minutes."
    maturity_rating = "PG-13"
    is_published = True

    @factory.post_generation
    def genres(self, create: bool, extracted: list[Genre] | None, **kwargs: object) -> None:
        if create and extracted:
            self.genres.add(*extracted)


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    title = factory.SubFactory(TitleFactory)
    person = factory.SubFactory(PersonFactory)
    role = Credit.Role.ACTOR


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    title = factory.SubFactory(TitleFactory, kind=Title.Kind.SERIES)
    number = factory.Sequence(lambda n: n + 1)


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    season = factory.SubFactory(SeasonFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Episode {n}")
    runtime_minutes = 45


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    stars = Decimal("4.0")
    thumbs = Thumbs.UP
    scale = Rating.Scale.STARS


class ListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListItem

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)


class WatchProgressFactory(factory.django.DjangoModelFactory):
    """A film part-watched: give `last_position`; the rest follows from it."""

    class Meta:
        model = WatchProgress

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    runtime_seconds = 6000
    last_position = 0
    furthest_position = factory.SelfAttribute("last_position")
    percent = factory.LazyAttribute(lambda o: round(100 * o.last_position / o.runtime_seconds, 2))


class NotInterestedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotInterested

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)


class TasteExclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TasteExclusion

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
