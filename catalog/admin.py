from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from catalog.models import Credit, Episode, Genre, Person, Season, Tag, Title
from catalog.posters import PosterFormField


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "role", "character", "billing_order"]
    ordering = ["billing_order", "id"]


class SeasonInline(admin.TabularInline):
    model = Season
    extra = 0
    fields = ["number", "name", "year", "episode_count"]
    readonly_fields = ["episode_count"]
    show_change_link = True

    @admin.display(description="Episodes")
    def episode_count(self, season: Season) -> int:
        return season.episodes.count() if season.pk else 0


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "http"}}
    fields = ["number", "name", "runtime_minutes", "synopsis", "video_path", "video_url"]


class DecadeListFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "decade"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(d), f"{d}s") for d in range(2020, 1910, -10)] + [("older", "Before 1920")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Title]) -> QuerySet[Title]:
        value = self.value()
        if value == "older":
            return queryset.filter(year__lt=1920)
        if value and value.isdigit():
            start = int(value)
            return queryset.filter(year__gte=start, year__lt=start + 10)
        return queryset


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):
    list_display = [
        "poster_thumbnail",
        "name",
        "kind",
        "year",
        "genre_list",
        "maturity_rating",
        "is_published",
        "added_at",
    ]
    list_display_links = ["poster_thumbnail", "name"]
    list_filter = [
        "kind",
        "genres",
        DecadeListFilter,
        "maturity_rating",
        "is_published",
        "added_at",
    ]
    list_editable = ["is_published"]
    list_per_page = 50
    search_fields = ["name", "slug", "imdb_id", "credits__person__name"]
    date_hierarchy = "added_at"
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["genres", "tags"]
    actions = ["publish", "unpublish"]
    inlines = [CreditInline, SeasonInline]
    readonly_fields = ["poster_preview", "updated_at"]
    # Bytes and pixels checked before Pillow decodes the upload, with a clear error.
    formfield_overrides = {
        models.ImageField: {"form_class": PosterFormField},
        # A stream on the household's network usually speaks plain HTTP.
        models.URLField: {"assume_scheme": "http"},
    }
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "synopsis", "is_published"]}),
        (
            "Release",
            {
                "fields": [
                    "year",
                    "release_date",
                    "runtime_minutes",
                    "maturity_rating",
                    "original_language",
                    "country",
                ]
            },
        ),
        ("Classification", {"fields": ["genres", "tags"]}),
        ("Poster", {"fields": ["poster", "poster_preview"]}),
        (
            "Video (a film's; a series' episodes have their own)",
            {"fields": ["video_path", "video_url"]},
        ),
        (
            "External ids",
            {"fields": ["movielens_id", "imdb_id", "tmdb_id"], "classes": ["collapse"]},
        ),
        ("Dates", {"fields": ["added_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Title]:
        return super().get_queryset(request).prefetch_related("genres")

    @admin.display(description="Poster")
    def poster_thumbnail(self, title: Title) -> str:
        return format_html(
            '<img src="{}" alt="" width="40" height="60" class="poster-thumb">',
            title.poster_url,
        )

    @admin.display(description="Poster preview")
    def poster_preview(self, title: Title) -> str:
        if not title.pk:
            return "Save the title to see its poster."
        return format_html('<img src="{}" alt="" width="150" height="225">', title.poster_url)

    @admin.display(description="Genres")
    def genre_list(self, title: Title) -> str:
        return ", ".join(genre.name for genre in title.genres.all())

    @admin.action(description="Publish selected titles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Title]) -> None:
        count = queryset.update(is_published=True)
        self.message_user(
            request, f"Published {count} title{'s' if count != 1 else ''}.", messages.SUCCESS
        )

    @admin.action(description="Unpublish selected titles")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Title]) -> None:
        count = queryset.update(is_published=False)
        self.message_user(
            request, f"Unpublished {count} title{'s' if count != 1 else ''}.", messages.SUCCESS
        )


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "number", "year"]
    list_select_related = ["title"]
    search_fields = ["title__name", "name"]
    autocomplete_fields = ["title"]
    inlines = [EpisodeInline]


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "title_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Genre]:
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_titles=Count("titles"))

    @admin.display(description="Titles", ordering="n_titles")
    def title_count(self, genre: Genre) -> int:
        return genre.n_titles


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PersonCreditInline(admin.TabularInline):
    model = Credit
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["title"]
    fields = ["title", "role", "character", "billing_order"]
    verbose_name = "credit"
    verbose_name_plural = "filmography"


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "birth_year", "credit_roles"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PersonCreditInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).prefetch_related("credits")

    @admin.display(description="Roles")
    def credit_roles(self, person: Person) -> str:
        roles = sorted({credit.get_role_display() for credit in person.credits.all()})
        return format_html_join(", ", "{}", ((role,) for role in roles))
