"""The profile's ratings: list, rate on stars or thumbs, clear."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from recommendations import selectors, services
from recommendations.api.base import ProfileApi, TitleCardSerializer, any_title, published_title
from recommendations.models import Rating, Source, Thumbs

THUMB_NAMES = {Thumbs.DOWN: "down", Thumbs.UP: "up", Thumbs.TWO_UP: "two_up"}


class ThumbsField(serializers.ChoiceField):
    """Thumbs by name both ways (down, up, two_up); the database keeps -1, 1 and 2."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid_choice": "Thumbs are down, up or two_up."})
        super().__init__(choices=list(THUMB_NAMES.values()), **kwargs)

    def to_representation(self, value: int) -> str:
        return THUMB_NAMES[value]


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
            title=published_title(slug),
            stars=serializer.validated_data.get("stars"),
            thumbs=serializer.validated_data.get("thumbs"),
            source=Source.API,
        )
        return Response(RatingOutputSerializer(rating).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        """Clear the profile's rating of a title; 404 when there was none."""
        if not services.rating_clear(profile=self.profile, title=any_title(slug)):
            raise exceptions.NotFound("This profile has not rated this title.")
        return Response(status=status.HTTP_204_NO_CONTENT)
