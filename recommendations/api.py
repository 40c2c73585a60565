"""API of a profile's signals under /api/v1/me/: ratings, watching, history, My List and
refusals, and the personalised home rows. Each view calls the same services and selectors
as the pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.api import PROFILE_PARAMETER, current_profile
from accounts.models import Profile
from catalog.models import Title
from recommendations import rows as home
from recommendations import selectors, services
from recommendations.dates import signal_time_validate
from recommendations.models import Rating, Source, Thumbs, WatchEvent
from recommendations.services import Heartbeat, HeartbeatError

# --------------------------------------------------------------------------------------
# Shared plumbing
# --------------------------------------------------------------------------------------


@extend_schema(parameters=[PROFILE_PARAMETER])
class ProfileApi(APIView):
    # Base of every /me/ view: signed in (session or token) and acting as one profile.
    # `self.profile` is resolved before the handler runs (accounts.api.current_profile), and
    # a Django ValidationError from a service becomes a 400 in DRF's error format. Comments,
    # not a docstring: the schema would show a docstring as every subclass's description.

    permission_classes = [IsAuthenticated]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS
    profile: Profile

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.profile = current_profile(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
        return super().handle_exception(exc)

    def paginated_response(
        self, queryset: QuerySet[Any], serializer_class: type[serializers.BaseSerializer]
    ) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


def _published_title(slug: str) -> Title:
    """A title a profile may act on; the services judge the maturity limit."""
    title = Title.objects.filter(slug=slug, is_published=True).first()
    if title is None:
        raise exceptions.NotFound("No such title.")
    return title


def _any_title(slug: str) -> Title:
    # Removing is allowed for a title unpublished since: it still shows in the profile's lists.
    title = Title.objects.filter(slug=slug).first()
    if title is None:
        raise exceptions.NotFound("No such title.")
    return title


class TitleCardSerializer(serializers.ModelSerializer):
    poster_url = serializers.CharField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Title
        ref_name = "TitleCard"
        fields = ["slug", "name", "kind", "year", "maturity_rating", "poster_url", "url"]


THUMB_NAMES = {Thumbs.DOWN: "down", Thumbs.UP: "up", Thumbs.TWO_UP: "two_up"}


class ThumbsField(serializers.ChoiceField):
    """Thumbs by name both ways (down, up, two_up); the database keeps -1, 1 and 2."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid_choice": "Thumbs are down, up or two_up."})
        super().__init__(choices=list(THUMB_NAMES.values()), **kwargs)

    def to_representation(self, value: int) -> str:
        return THUMB_NAMES[value]


# --------------------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------------------


class RatingOutputSerializer(serializers.Serializer):
    title = TitleCardSerializer()
    stars = serializers.DecimalField(max_digits=2, decimal_places=1, coerce_to_string=False)
    thumbs = ThumbsField()
    scale = serializers.ChoiceField(
        choices=Rating.Scale.choices, help_text="The scale the profile rated on."
    )
    rated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Rating"


class RatingListApi(ProfileApi):
    @extend_schema(responses=RatingOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The profile's ratings, newest first."""
        return self.paginated_response(
            selectors.rating_list(profile=self.profile), RatingOutputSerializer
        )


class RatingApi(ProfileApi):
    class InputSerializer(serializers.Serializer):
        # No limits here: services.parse_stars owns the rule (0.5 to 5 in half steps).
        stars = serializers.DecimalField(
            max_digits=None, decimal_places=None, required=False, help_text="0.5 to 5 by 0.5."
        )
        thumbs = ThumbsField(required=False)

        class Meta:
            ref_name = "RatingRequest"

    @extend_schema(request=InputSerializer, responses=RatingOutputSerializer)
    def put(self, request: Request, slug: str) -> Response:
        """Rate a title on either scale, `stars` or `thumbs`; the answer has both."""
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = services.rating_set(
            profile=self.profile,
            title=_published_title(slug),
            stars=serializer.validated_data.get("stars"),
            thumbs=serializer.validated_data.get("thumbs"),
            source=Source.API,
        )
        return Response(RatingOutputSerializer(rating).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        """Clear the profile's rating of a title; 404 when there was none."""
        if not services.rating_clear(profile=self.profile, title=_any_title(slug)):
            raise exceptions.NotFound("This profile has not rated this title.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------
# Watching
# --------------------------------------------------------------------------------------

MAX_EVENTS = 100
# Players' clocks drift; anything further ahead would block later events as "older".
CLOCK_SKEW = timedelta(minutes=5)
# The services name Heartbeat attributes; clients know the request's field names.
EVENT_FIELDS = {"occurred_at": "at"}


@extend_schema_field(
    {"type": "string", "enum": WatchEvent.Kind.values}, component_name="WatchEventKind"
)
class WatchEventKindField(serializers.ChoiceField):
    # A component of its own: "kind" also names a title's kind (movie, series).
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=WatchEvent.Kind.values, **kwargs)


class EventListField(serializers.ListField):
    def to_internal_value(self, data: Any) -> list[Any]:
        # Refuse an oversized batch before validating each of its events.
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def _event_error(index: int, field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({"events": {str(index): {field: [message]}}})


class WatchEventBatchApi(ProfileApi):
    class InputSerializer(serializers.Serializer):
        class EventSerializer(serializers.Serializer):
            id = serializers.UUIDField(help_text="Made by the player; a repeated id is ignored.")
            title = serializers.CharField(max_length=280, help_text="The title's slug.")
            episode = serializers.IntegerField(
                required=False,
                allow_null=True,
                default=None,
                min_value=1,
                max_value=2**63 - 1,
                help_text="The episode's id for a series, null for a film.",
            )
            kind = WatchEventKindField()
            position = serializers.IntegerField(help_text="Seconds from the start.")
            at = serializers.DateTimeField(help_text="When it happened, ISO 8601.")

            class Meta:
                ref_name = "WatchEvent"

            def validate_at(self, value: datetime) -> datetime:
                if value > timezone.now() + CLOCK_SKEW:
                    raise serializers.ValidationError("This time is in the future.")
                # Before 1870: stored, it breaks every page that shows it (in some zones).
                signal_time_validate(value)
                return value

        # A ListField, not many=True: its errors are keyed by index, like HeartbeatError's.
        events = EventListField(
            child=EventSerializer(),
            allow_empty=False,
            max_length=MAX_EVENTS,
            error_messages={
                "empty": "Send at least one event.",
                "max_length": f"Send at most {MAX_EVENTS} events at a time.",
            },
        )

        class Meta:
            ref_name = "WatchEventBatch"

    class OutputSerializer(serializers.Serializer):
        accepted = serializers.IntegerField(help_text="Events recorded now.")
        duplicates = serializers.IntegerField(help_text="Events whose id was already recorded.")

        class Meta:
            ref_name = "WatchEventResult"

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        """Record a batch of player events, all or nothing.

        One bad event rejects the batch with its index and field, e.g.
        `{"events": {"2": {"position": ["..."]}}}`. An event whose id was already recorded
        is counted as a duplicate and changes nothing, so a batch may be sent again.
        """
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        events = serializer.validated_data["events"]

        slugs = {event["title"] for event in events}
        title_ids = dict(
            Title.objects.filter(slug__in=slugs, is_published=True).values_list("slug", "pk")
        )
        for index, event in enumerate(events):
            if event["title"] not in title_ids:
                raise _event_error(index, "title", "No such title.")

        heartbeats = [
            Heartbeat(
                client_event_id=event["id"],
                title_id=title_ids[event["title"]],
                episode_id=event["episode"],
                kind=event["kind"],
                position=event["position"],
                occurred_at=event["at"],
            )
            for event in events
        ]
        try:
            # Already-recorded ids are skipped by the service: a batch may be sent again.
            accepted = services.watch_events_record(profile=self.profile, heartbeats=heartbeats)
        except HeartbeatError as error:
            field = EVENT_FIELDS.get(error.field, error.field)
            raise _event_error(error.index, field, error.reason) from None
        result = {"accepted": accepted, "duplicates": len(events) - accepted}
        return Response(self.OutputSerializer(result).data)


# --------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------


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
        if not services.history_remove(profile=self.profile, title=_any_title(slug)):
            raise exceptions.NotFound("This title is not in the profile's history.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkWatchedApi(ProfileApi):
    @extend_schema(request=None, responses=HistoryEntrySerializer)
    def post(self, request: Request, slug: str) -> Response:
        """Mark a title as watched without playing it."""
        title = _published_title(slug)
        services.watch_mark_watched(profile=self.profile, title=title)
        # Read back through the selector so the answer has the same shape as the history.
        entry = selectors.history_list(profile=self.profile).get(title=title)
        return Response(HistoryEntrySerializer(entry).data)


# --------------------------------------------------------------------------------------
# My List and "not interested"
# --------------------------------------------------------------------------------------


class ListItemSerializer(serializers.Serializer):
    title = TitleCardSerializer()
    added_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ListItem"


class MyListApi(ProfileApi):
    @extend_schema(responses=ListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        """My List, newest first."""
        return self.paginated_response(selectors.my_list(profile=self.profile), ListItemSerializer)


class MyListItemApi(ProfileApi):
    @extend_schema(request=None, responses=ListItemSerializer)
    def put(self, request: Request, slug: str) -> Response:
        """Add a title to My List; adding it again changes nothing."""
        title = _published_title(slug)
        item = services.list_add(profile=self.profile, title=title)
        item.title = title  # get_or_create's fetched row would load it again
        return Response(ListItemSerializer(item).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        """Take a title off My List; 404 when it was not on it."""
        if not services.list_remove(profile=self.profile, title=_any_title(slug)):
            raise exceptions.NotFound("This title is not on the profile's list.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotInterestedSerializer(serializers.Serializer):
    title = TitleCardSerializer()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "NotInterested"


class NotInterestedListApi(ProfileApi):
    @extend_schema(responses=NotInterestedSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Titles kept out of the profile's recommendations, newest first."""
        return self.paginated_response(
            selectors.not_interested_list(profile=self.profile), NotInterestedSerializer
        )


class NotInterestedApi(ProfileApi):
    @extend_schema(request=None, responses=NotInterestedSerializer)
    def put(self, request: Request, slug: str) -> Response:
        """Keep a title out of the profile's recommendations."""
        title = _published_title(slug)
        mark = services.not_interested_add(profile=self.profile, title=title)
        mark.title = title
        return Response(NotInterestedSerializer(mark).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        """Undo "not interested"; 404 when the title was not marked."""
        if not services.not_interested_remove(profile=self.profile, title=_any_title(slug)):
            raise exceptions.NotFound("This title is not marked as not interesting.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------
# Home rows
# --------------------------------------------------------------------------------------


class IntentSerializer(serializers.Serializer):
    # Stricter than the page's lenient control: a client hears about a value it got wrong.
    # Blank means "no preference", as the page's form sends it.
    minutes = serializers.ChoiceField(
        choices=home.INTENT_MINUTES,
        required=False,
        allow_blank=True,
        help_text="Tonight's time budget in minutes.",
    )
    mood = serializers.ChoiceField(
        choices=list(home.MOODS.items()), required=False, allow_blank=True
    )

    class Meta:
        ref_name = "Intent"


def _intent(request: Request) -> home.Intent:
    serializer = IntentSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return home.Intent(
        minutes=serializer.validated_data.get("minutes") or None,
        mood=serializer.validated_data.get("mood") or "",
    )


class EvidenceTitleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "EvidenceTitle"


class EvidenceSerializer(serializers.Serializer):
    text = serializers.CharField()
    title = serializers.SerializerMethodField(
        help_text="The profile's own title this reason rests on; it can be left out of the "
        "profile's taste (the site's \"Don't use\"). Null for other reasons."
    )

    class Meta:
        ref_name = "Evidence"

    @extend_schema_field(EvidenceTitleSerializer(allow_null=True))
    def get_title(self, evidence: home.Evidence) -> dict[str, Any] | None:
        # A title deleted since the plan was built has no slug left to act on.
        if not evidence.strikable or not evidence.title_slug:
            return None
        return {"id": evidence.title_id, "slug": evidence.title_slug, "name": evidence.title_name}


class CardProgressSerializer(serializers.Serializer):
    percent = serializers.FloatField()
    completed = serializers.BooleanField()

    class Meta:
        ref_name = "CardProgress"


class RowCardSerializer(serializers.ModelSerializer):
    # A Title from recommendations.rows.row_view: the plan's match, stars, rank,
    # evidence and the profile's rating, list and progress as attributes.
    poster_url = serializers.CharField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    match = serializers.IntegerField(
        allow_null=True, help_text="Match for the profile in percent; null without a model."
    )
    predicted_stars = serializers.FloatField(
        allow_null=True, help_text="The profile's predicted rating; null without a model."
    )
    rank = serializers.IntegerField(allow_null=True, help_text="Place in today's Top 10.")
    progress = serializers.SerializerMethodField()
    my_rating = serializers.DecimalField(
        source="my_stars",
        max_digits=2,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        help_text="The profile's stars; null when it has not rated the title.",
    )
    in_my_list = serializers.BooleanField()
    evidence = EvidenceSerializer(many=True, help_text="Why the title is on the page.")

    class Meta:
        model = Title
        ref_name = "RowCard"
        fields = [
            "id",
            "slug",
            "name",
            "year",
            "kind",
            "poster_url",
            "url",
            "match",
            "predicted_stars",
            "rank",
            "progress",
            "my_rating",
            "in_my_list",
            "evidence",
        ]

    @extend_schema_field(CardProgressSerializer(allow_null=True))
    def get_progress(self, title: Title) -> dict[str, Any] | None:
        if title.progress_percent is None:
            return None
        return {"percent": title.progress_percent, "completed": title.progress_completed}


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()
    url = serializers.CharField(help_text="This row in the API, with its full list.")
    see_all_url = serializers.CharField(help_text="This row's page on the site.")
    titles = RowCardSerializer(many=True)

    class Meta:
        ref_name = "Row"


def _row_data(view: home.RowView, intent: home.Intent) -> dict[str, Any]:
    query = intent.query()
    url = reverse("api:me-row", args=[view.key]) + (f"?{query}" if query else "")
    return {
        "key": view.key,
        "heading": view.heading,
        "url": url,
        "see_all_url": view.see_all_url,
        "titles": view.titles,
    }


class RowListApi(ProfileApi):
    class OutputSerializer(serializers.Serializer):
        class IntentOutputSerializer(serializers.Serializer):
            minutes = serializers.IntegerField(allow_null=True)
            mood = serializers.ChoiceField(choices=list(home.MOODS.items()), allow_null=True)

            class Meta:
                ref_name = "IntentState"

        intent = IntentOutputSerializer()
        personal = serializers.BooleanField(
            help_text="Whether the rows come from the profile's own signals, not popularity."
        )
        has_model = serializers.BooleanField(help_text="Whether a trained model is active.")
        rows = RowSerializer(many=True)

        class Meta:
            ref_name = "Rows"

    # Named like the other lists': the default would take the single row's name.
    @extend_schema(
        operation_id="v1_me_rows_list", parameters=[IntentSerializer], responses=OutputSerializer
    )
    def get(self, request: Request) -> Response:
        """The profile's home page: its rows in page order, each title in one row only."""
        intent = _intent(request)
        plan = home.home_plan(profile=self.profile, intent=intent)
        # One query per row (row_view), as the page's rows; a page has a dozen at most.
        views = [
            home.row_view(plan, row.key, profile=self.profile, intent=intent) for row in plan.rows
        ]
        result = {
            "intent": {"minutes": intent.minutes, "mood": intent.mood or None},
            "personal": plan.personal,
            "has_model": plan.has_model,
            "rows": [_row_data(view, intent) for view in views if view is not None],
        }
        return Response(self.OutputSerializer(result).data)


class RowApi(ProfileApi):
    @extend_schema(parameters=[IntentSerializer], responses=RowSerializer)
    def get(self, request: Request, key: str) -> Response:
        """One home row with its whole "see all" list; 404 when it is not on the page."""
        intent = _intent(request)
        plan = home.home_plan(profile=self.profile, intent=intent)
        view = home.row_view(plan, key, profile=self.profile, full=True, intent=intent)
        if view is None:
            raise exceptions.NotFound("This row is not on the profile's home page.")
        return Response(RowSerializer(_row_data(view, intent)).data)
