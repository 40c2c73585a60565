from django.urls import path

from recommendations import views
from recommendations.home import views as home_views
from recommendations.media_servers import views as media_server_views

app_name = "recommendations"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("rows/<slug:key>/", home_views.row, name="row"),
    path("titles/<slug:slug>/", home_views.title_detail, name="title"),
    path("me/history/", views.history, name="history"),
    path("me/ratings/", views.ratings, name="ratings"),
    path("me/list/", views.my_list, name="my_list"),
    path("me/not-interested/", views.not_interested_page, name="not_interested_list"),
    path("me/rate/", views.rate_watched, name="rate_watched"),
    path("me/top-picks/", views.top_picks, name="top_picks"),
    path("me/start/", views.onboarding, name="onboarding"),
    path("titles/<slug:slug>/rate/", views.rate, name="rate"),
    path("titles/<slug:slug>/list/", views.my_list_toggle, name="list_toggle"),
    path("titles/<slug:slug>/not-interested/", views.not_interested, name="not_interested"),
    path("titles/<slug:slug>/continue/remove/", views.continue_remove, name="continue_remove"),
    path("titles/<slug:slug>/taste/", views.taste_exclusion, name="taste_exclusion"),
    path("titles/<slug:slug>/watched/", views.mark_watched, name="mark_watched"),
    path("titles/<slug:slug>/history/remove/", views.history_remove, name="history_remove"),
    path("watch/<slug:slug>/", views.player, name="player"),
    path("watch/<slug:slug>/<int:episode_id>/", views.player, name="player_episode"),
    path("watch/<slug:slug>/video/", views.video, name="video"),
    path("watch/<slug:slug>/<int:episode_id>/video/", views.video, name="video_episode"),
    path("hooks/media/<str:token>/", media_server_views.webhook, name="media_server_webhook"),
]
