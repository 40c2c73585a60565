"""What every /me/ view shares: the profile it acts as, DRF's error format for the services'
validation errors, pagination, and how a title named in the path is found."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.api import PROFILE_PARAMETER, current_profile
from accounts.models import Profile
from catalog.models import Title


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


def published_title(slug: str) -> Title:
    """A title a profile may act on; the services judge the maturity limit."""
    title = Title.objects.filter(slug=slug, is_published=True).first()
    if title is None:
        raise exceptions.NotFound("No such title.")
    return title


def any_title(slug: str) -> Title:
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
