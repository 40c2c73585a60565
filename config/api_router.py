"""Routes of the JSON API under /api/v1/. Each app contributes its views here."""

from django.urls import path

from accounts import api as accounts_api
from catalog import api as catalog_api
from recommendations.api import history, home_rows, lists, ratings, watch_events

app_name = "api"

urlpatterns = [
    path("auth/token/", accounts_api.TokenObtainApi.as_view(), name="auth-token"),
    path("titles/", catalog_api.TitleListApi.as_view(), name="title-list"),
    path("titles/<slug:slug>/", catalog_api.TitleDetailApi.as_view(), name="title-detail"),
    path("genres/", catalog_api.GenreListApi.as_view(), name="genre-list"),
    # Everything under me/ acts as one profile: the X-Marquee-Profile header's, or the
    # session's. me/profiles/ lists the choices and needs none.
    path("me/profiles/", accounts_api.ProfileListApi.as_view(), name="me-profile-list"),
    path("me/ratings/", ratings.RatingListApi.as_view(), name="me-rating-list"),
    path("me/ratings/<slug:slug>/", ratings.RatingApi.as_view(), name="me-rating"),
    path(
        "me/watch-events/",
        watch_events.WatchEventBatchApi.as_view(),
        name="me-watch-events",
    ),
    path("me/history/", history.HistoryListApi.as_view(), name="me-history-list"),
    path(
        "me/history/<slug:slug>/",
        history.HistoryEntryApi.as_view(),
        name="me-history-entry",
    ),
    path(
        "me/history/<slug:slug>/watched/",
        history.MarkWatchedApi.as_view(),
        name="me-history-watched",
    ),
    path("me/rows/", home_rows.RowListApi.as_view(), name="me-row-list"),
    path("me/rows/<slug:key>/", home_rows.RowApi.as_view(), name="me-row"),
    path("me/list/", lists.MyListApi.as_view(), name="me-list"),
    path("me/list/<slug:slug>/", lists.MyListItemApi.as_view(), name="me-list-item"),
    path(
        "me/not-interested/",
        lists.NotInterestedListApi.as_view(),
        name="me-not-interested-list",
    ),
    path(
        "me/not-interested/<slug:slug>/",
        lists.NotInterestedApi.as_view(),
        name="me-not-interested",
    ),
]
