"""Routes of the JSON API under /api/v1/. Each app contributes its views here."""

from django.urls import path

from catalog import api as catalog_api

app_name = "api"

urlpatterns = [
    path("titles/", catalog_api.TitleListApi.as_view(), name="title-list"),
    path("titles/<slug:slug>/", catalog_api.TitleDetailApi.as_view(), name="title-detail"),
    path("genres/", catalog_api.GenreListApi.as_view(), name="genre-list"),
]
