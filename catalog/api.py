from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, QuerySet, Value, When
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import PROFILE_PARAMETER, request_profile
from catalog import search as catalog_search
from catalog import selectors
from catalog.models import MAX_YEAR, MIN_YEAR, Genre, Title


class GenreOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Genre
        fields = ["name", "slug"]


class TitleOutputSerializer(serializers.ModelSerializer):
    genres = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    poster_url = serializers.CharField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Title
        fields = [
            "slug",
            "name",
            "kind",
            "year",
            "runtime_minutes",
            "maturity_rating",
            "original_language",
            "country",
            "genres",
            "poster_url",
            "url",
        ]


class TitleListOutputSerializer(TitleOutputSerializer):
    match = serializers.CharField(
        source="search_match",
        read_only=True,
        allow_null=True,
        help_text=(
            'With `q`: why the title matched, e.g. "Genre: Western", "Cast: Mira Solvang", '
            '"In the synopsis"; null when its name holds the words, and without `q`.'
        ),
    )

    class Meta(TitleOutputSerializer.Meta):
        fields = [*TitleOutputSerializer.Meta.fields, "match"]


class TitleDetailOutputSerializer(TitleOutputSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

    class Meta(TitleOutputSerializer.Meta):
        fields = [*TitleOutputSerializer.Meta.fields, "synopsis", "release_date", "tags"]


class TitleListApi(generics.ListAPIView):
    """Published titles the profile may see, by name; with `q`, best matches first."""

    class FilterSerializer(serializers.Serializer):
        genre = serializers.SlugField(required=False, help_text="A genre's slug.")
        kind = serializers.ChoiceField(
            choices=Title.Kind.choices,
            required=False,
            error_messages={"invalid_choice": "Use movie or series."},
        )
        year = serializers.IntegerField(
            required=False,
            min_value=MIN_YEAR,
            max_value=MAX_YEAR,
            error_messages={"invalid": "A year is a number."},
        )
        q = serializers.CharField(required=False, max_length=100, help_text="Search words.")

    serializer_class = TitleListOutputSerializer

    @extend_schema(parameters=[FilterSerializer, PROFILE_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Title]:
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        profile = request_profile(self.request)
        titles = Title.objects.visible_to(profile)
        if params.get("genre"):
            titles = titles.filter(genres__slug=params["genre"])
        if params.get("kind"):
            titles = titles.filter(kind=params["kind"])
        if params.get("year"):
            titles = titles.filter(year=params["year"])
        titles = titles.prefetch_related("genres")
        if params.get("q"):
            hits = catalog_search.search(query=params["q"], profile=profile, limit=200).hits
            if not hits:
                return titles.none()
            # Keep the search's ranking: the best match is what a searcher wants first.
            rank = Case(
                *(When(pk=hit.title.pk, then=position) for position, hit in enumerate(hits))
            )
            why = Case(
                *(When(pk=hit.title.pk, then=Value(hit.why)) for hit in hits if hit.why),
                default=None,
                output_field=CharField(),
            )
            return (
                titles.filter(pk__in=[hit.title.pk for hit in hits])
                .annotate(search_match=why)
                .order_by(rank, "id")
            )
        titles = titles.annotate(search_match=Value(None, output_field=CharField()))
        return titles.order_by("name", "year", "id")


@extend_schema(parameters=[PROFILE_PARAMETER])
class TitleDetailApi(generics.RetrieveAPIView):
    """A published title with its synopsis and tags; 403 above the profile's maturity limit."""

    serializer_class = TitleDetailOutputSerializer

    def get_object(self) -> Title:
        profile = request_profile(self.request)
        try:
            return selectors.title_detail(slug=self.kwargs["slug"], profile=profile)
        except Http404:
            raise Http404("No such title.") from None
        except selectors.MaturityForbidden:
            raise PermissionDenied("This title is above the profile's maturity limit.") from None


class GenreListApi(generics.ListAPIView):
    """Every genre, by name."""

    serializer_class = GenreOutputSerializer
    queryset = Genre.objects.order_by("name")
