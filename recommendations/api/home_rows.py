"""The profile's home page as data: its rows in page order, and one row with its whole list."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Title
from catalog.selectors import Row
from recommendations.api.base import ProfileApi
from recommendations.core.page.intent import INTENT_MINUTES, MOODS, Intent
from recommendations.home.evidence import Evidence
from recommendations.home.plan import home_plan
from recommendations.home.row_views import row_view


class IntentSerializer(serializers.Serializer):
    # Stricter than the page's lenient control: a client hears about a value it got wrong.
    # Blank means "no preference", as the page's form sends it.
    minutes = serializers.ChoiceField(
        choices=INTENT_MINUTES,
        required=False,
        allow_blank=True,
        help_text="Tonight's time budget in minutes.",
    )
    mood = serializers.ChoiceField(choices=list(MOODS.items()), required=False, allow_blank=True)

    class Meta:
        ref_name = "Intent"


def _intent(request: Request) -> Intent:
    serializer = IntentSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return Intent(
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
    def get_title(self, evidence: Evidence) -> dict[str, Any] | None:
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
    # A Title from recommendations.home.row_views.row_view: the plan's match, stars, rank,
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


def _row_data(view: Row, intent: Intent) -> dict[str, Any]:
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
            mood = serializers.ChoiceField(choices=list(MOODS.items()), allow_null=True)

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
        plan = home_plan(profile=self.profile, intent=intent)
        # One query per row (row_view), as the page's rows; a page has a dozen at most.
        views = [row_view(plan, row.key, profile=self.profile, intent=intent) for row in plan.rows]
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
        plan = home_plan(profile=self.profile, intent=intent)
        view = row_view(plan, key, profile=self.profile, full=True, intent=intent)
        if view is None:
            raise exceptions.NotFound("This row is not on the profile's home page.")
        return Response(RowSerializer(_row_data(view, intent)).data)
