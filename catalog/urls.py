from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("browse/", views.browse, name="browse"),
    path("browse/<slug:genre_slug>/", views.browse, name="genre"),
    path("titles/<slug:slug>/poster.svg", views.poster, name="poster"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("search/", views.search, name="search"),
]
