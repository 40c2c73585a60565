"""The player's events (play, heartbeat, pause, stop), recorded in batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Title
from recommendations import watching
from recommendations.api.base import ProfileApi
from recommendations.dates import signal_time_validate
from recommendations.models import WatchEvent
from recommendations.watching import Heartbeat, HeartbeatError

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
            accepted = watching.watch_events_record(profile=self.profile, heartbeats=heartbeats)
        except HeartbeatError as error:
            field = EVENT_FIELDS.get(error.field, error.field)
            raise _event_error(error.index, field, error.reason) from None
        result = {"accepted": accepted, "duplicates": len(events) - accepted}
        return Response(self.OutputSerializer(result).data)
