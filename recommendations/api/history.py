"""What the profile watched: the list, forgetting a title, marking one as watched."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Title
from recommendations import selectors, services
from recommendations.api.base import ProfileApi, TitleCardSerializer, any_title, published_title


class EpisodeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    season = serializers.IntegerField(source="season.number")
    number = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "EpisodeRef"


class HistoryEntrySerializer(serializers.Serializer):
    title = TitleCardSerializer()
    percent = serializers.FloatField()
    completed = serializers.BooleanField()
    times_completed = serializers.IntegerField()
    last_position = serializers.IntegerField(help_text="Seconds; in the current episode.")
    runtime_seconds = serializers.IntegerField()
    last_watched_at = serializers.DateTimeField()
    current_episode = EpisodeRefSerializer(
        allow_null=True, help_text="For a series, the episode to resume."
    )
    my_stars = serializers.DecimalField(
        max_digits=2, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    excluded_from_taste = serializers.BooleanField()

    class Meta:
        ref_name = "HistoryEntry"


class HistoryListApi(ProfileApi):
    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Title.Kind.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=HistoryEntrySerializer(many=True))
    def get(self, request: Request) -> Response:
        """What the profile watched, newest first: one entry per film or series."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.history_list(profile=self.profile, kind=filters.validated_data.get("kind"))
        return self.paginated_response(rows, HistoryEntrySerializer)


class HistoryEntryApi(ProfileApi):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        """Forget that the profile watched a title, episodes and events included."""
        if not services.history_remove(profile=self.profile, title=any_title(slug)):
            raise exceptions.NotFound("This title is not in the profile's history.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkWatchedApi(ProfileApi):
    @extend_schema(request=None, responses=HistoryEntrySerializer)
    def post(self, request: Request, slug: str) -> Response:
        """Mark a title as watched without playing it."""
        title = published_title(slug)
        services.watch_mark_watched(profile=self.profile, title=title)
        # Read back through the selector so the answer has the same shape as the history.
        entry = selectors.history_list(profile=self.profile).get(title=title)
        return Response(HistoryEntrySerializer(entry).data)
