from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from catalog.maturity import MaturityRating, age_for, ratings_up_to
from catalog.posters import poster_upload_validate
from catalog.video import video_path_validate
from config.slug_urls import slug_url

if TYPE_CHECKING:
    from accounts.models import Profile

MIN_YEAR = 1870
MAX_YEAR = 2100
MAX_RUNTIME = 1000


class Genre(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=70, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:genre", args=[self.slug])


class Tag(models.Model):
    class Kind(models.TextChoices):
        THEME = "theme", "Theme"
        MOOD = "mood", "Mood"

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=70, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.THEME)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    birth_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(MAX_YEAR)],
    )
    biography = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1800, birth_year__lte=MAX_YEAR),
                name="catalog_person_birth_year_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:person", args=[self.slug])


def allowed_ratings(profile: Profile | None) -> list[str] | None:
    """The maturity ratings a profile may see; None when it has no limit (or no profile)."""
    if profile is None or profile.max_maturity_age >= 18:
        return None
    return ratings_up_to(profile.max_maturity_age)


def title_visibility(profile: Profile | None, *, through: str = "", unpublished: bool = False) -> Q:
    """The one rule for which titles a profile may see: published, within its maturity limit.

    Without a profile (anonymous browsing, an API client acting as none) there is no
    maturity limit. `through` prefixes the lookups to filter rows that point at a title,
    e.g. `Rating.objects.filter(title_visibility(profile, through="title__"))`.
    `unpublished` (for curators) waives publication, never the maturity limit.
    """
    rule = Q() if unpublished else Q(**{f"{through}is_published": True})
    allowed = allowed_ratings(profile)
    if allowed is not None:
        rule &= Q(**{f"{through}maturity_rating__in": allowed})
    return rule


class TitleQuerySet(models.QuerySet):
    def visible_to(self, profile: Profile | None, *, unpublished: bool = False) -> TitleQuerySet:
        return self.filter(title_visibility(profile, unpublished=unpublished))


class Playable(models.Model):
    """What Marquee's player plays of a film or an episode, where a curator gave one."""

    video_path = models.CharField(
        "video file",
        max_length=500,
        blank=True,
        validators=[video_path_validate],
        help_text="A file in the video folder (MARQUEE_VIDEO_ROOT), e.g. films/Arrival.mp4: "
        "Marquee's player plays it.",
    )
    video_url = models.URLField(
        "video stream",
        max_length=500,
        blank=True,
        help_text="Or the address of a stream on your network (HTTP with range requests).",
    )

    class Meta:
        abstract = True


class Title(Playable):
    class Kind(models.TextChoices):
        MOVIE = "movie", "Movie"
        SERIES = "series", "Series"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MOVIE)
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=280, unique=True)
    synopsis = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
        help_text=f"First release year, {MIN_YEAR}–{MAX_YEAR}.",
    )
    release_date = models.DateField(null=True, blank=True)
    runtime_minutes = models.PositiveSmallIntegerField(
        "runtime (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RUNTIME)],
        help_text="For a series, the typical episode length.",
    )
    maturity_rating = models.CharField(
        max_length=8, choices=MaturityRating.choices, default=MaturityRating.NR
    )
    original_language = models.CharField(
        max_length=8, blank=True, help_text="ISO 639-1 code, e.g. en, fr, ja."
    )
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 code, e.g. US.")
    poster = models.ImageField(
        upload_to="posters/",
        blank=True,
        validators=[poster_upload_validate],
        help_text="Optional. Without one, Marquee draws a poster from the title.",
    )
    is_published = models.BooleanField("published", default=True, db_index=True)
    added_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    movielens_id = models.PositiveIntegerField("MovieLens id", null=True, blank=True, unique=True)
    imdb_id = models.CharField(
        "IMDb id",
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[RegexValidator(r"^tt\d{7,10}$", "An IMDb id looks like tt0111161.")],
    )
    tmdb_id = models.PositiveIntegerField("TMDb id", null=True, blank=True, unique=True)

    genres = models.ManyToManyField(Genre, related_name="titles", blank=True)
    tags = models.ManyToManyField(Tag, related_name="titles", blank=True)
    people = models.ManyToManyField(Person, through="Credit", related_name="titles")

    objects = TitleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "year"]
        indexes = [
            models.Index(fields=["is_published", "-added_at"], name="catalog_title_pub_added"),
            models.Index(fields=["year"], name="catalog_title_year"),
            models.Index(fields=["name"], name="catalog_title_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="catalog_title_year_range",
                violation_error_message=f"The year must be between {MIN_YEAR} and {MAX_YEAR}.",
            ),
            models.CheckConstraint(
                condition=Q(runtime_minutes__isnull=True)
                | Q(runtime_minutes__gte=1, runtime_minutes__lte=MAX_RUNTIME),
                name="catalog_title_runtime_range",
                violation_error_message=f"The runtime must be 1–{MAX_RUNTIME} minutes.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["movie", "series"]), name="catalog_title_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(maturity_rating__in=MaturityRating.values),
                name="catalog_title_maturity_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})" if self.year else self.name

    def get_absolute_url(self) -> str:
        return slug_url("recommendations:title", self.slug)

    def clean(self) -> None:
        super().clean()
        if self.release_date and self.year and self.release_date.year != self.year:
            raise ValidationError(
                {"release_date": "The release date must fall in the title's year."}
            )

    def within_limit(self, profile: Profile | None) -> bool:
        """The maturity half of `visible_to`, for a title already in hand."""
        allowed = allowed_ratings(profile)
        return allowed is None or self.maturity_rating in allowed

    @property
    def poster_url(self) -> str:
        if self.poster:
            return self.poster.url
        return slug_url("catalog:poster", self.slug)

    @property
    def maturity_age(self) -> int:
        return age_for(self.maturity_rating)

    @property
    def is_series(self) -> bool:
        return self.kind == self.Kind.SERIES


class Season(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="seasons")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )

    class Meta:
        ordering = ["title", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "number"], name="catalog_season_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="catalog_season_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"Season {self.number}"


class Episode(Playable):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="episodes")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=255)
    synopsis = models.TextField(blank=True)
    runtime_minutes = models.PositiveSmallIntegerField(
        "runtime (minutes)", validators=[MinValueValidator(1), MaxValueValidator(MAX_RUNTIME)]
    )

    class Meta:
        ordering = ["season", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "number"], name="catalog_episode_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="catalog_episode_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(runtime_minutes__gte=1, runtime_minutes__lte=MAX_RUNTIME),
                name="catalog_episode_runtime_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Credit(models.Model):
    class Role(models.TextChoices):
        ACTOR = "actor", "Actor"
        DIRECTOR = "director", "Director"
        WRITER = "writer", "Writer"
        CREATOR = "creator", "Creator"

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=10, choices=Role.choices)
    character = models.CharField(max_length=200, blank=True)
    billing_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title", "billing_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "person", "role"], name="catalog_credit_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["actor", "director", "writer", "creator"]),
                name="catalog_credit_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"
