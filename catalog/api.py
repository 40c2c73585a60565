from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import generics, serializers
from rest_framework.request import Request

from accounts.models import Profile
from catalog import selectors
from catalog.models import Genre, Title


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


class TitleDetailOutputSerializer(TitleOutputSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

    class Meta(TitleOutputSerializer.Meta):
        fields = [*TitleOutputSerializer.Meta.fields, "synopsis", "release_date", "tags"]


def _profile(request: Request) -> Profile | None:
    return getattr(request._request, "profile", None)


class TitleListApi(generics.ListAPIView):
    """Published titles, filtered by `genre` (slug), `kind`, `year` and `q` (search)."""

    serializer_class = TitleOutputSerializer

    def get_queryset(self) -> QuerySet[Title]:
        params = self.request.query_params
        titles = selectors.title_visible_queryset(profile=_profile(self.request))
        if params.get("genre"):
            titles = titles.filter(genres__slug=params["genre"])
        if params.get("kind"):
            if params["kind"] not in Title.Kind.values:
                raise serializers.ValidationError({"kind": "Use movie or series."})
            titles = titles.filter(kind=params["kind"])
        if params.get("year"):
            try:
                titles = titles.filter(year=int(params["year"]))
            except ValueError:
                raise serializers.ValidationError({"year": "A year is a number."}) from None
        if params.get("q"):
            found = selectors.search(query=params["q"], profile=_profile(self.request), limit=200)
            titles = titles.filter(pk__in=[t.pk for t in found.titles])
        return titles.prefetch_related("genres").order_by("name", "year", "id")


class TitleDetailApi(generics.RetrieveAPIView):
    serializer_class = TitleDetailOutputSerializer

    def get_object(self) -> Title:
        try:
            return selectors.title_detail(slug=self.kwargs["slug"], profile=_profile(self.request))
        except Http404:
            raise Http404("No such title.") from None


class GenreListApi(generics.ListAPIView):
    serializer_class = GenreOutputSerializer
    queryset = Genre.objects.order_by("name")
