"""My List and "not interested": the titles a profile keeps, and those it keeps out."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from recommendations import selectors, services
from recommendations.api.base import ProfileApi, TitleCardSerializer, any_title, published_title


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
        title = published_title(slug)
        item = services.list_add(profile=self.profile, title=title)
        item.title = title  # get_or_create's fetched row would load it again
        return Response(ListItemSerializer(item).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        """Take a title off My List; 404 when it was not on it."""
        if not services.list_remove(profile=self.profile, title=any_title(slug)):
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
        title = published_title(slug)
        mark = services.not_interested_add(profile=self.profile, title=title)
        mark.title = title
        return Response(NotInterestedSerializer(mark).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        """Undo "not interested"; 404 when the title was not marked."""
        if not services.not_interested_remove(profile=self.profile, title=any_title(slug)):
            raise exceptions.NotFound("This title is not marked as not interesting.")
        return Response(status=status.HTTP_204_NO_CONTENT)
