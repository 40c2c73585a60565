from django.urls import path

from recommendations.profile_data import views

# Included under /account/ (config/urls.py): the paths the account pages always had.
app_name = "profile_data"

urlpatterns = [
    path("private-session/", views.private_session, name="private_session"),
    path("data/marquee-data.json", views.data_export, name="data_export"),
    path("data/ratings.csv", views.ratings_csv, name="ratings_csv"),
    path("data/history.csv", views.history_csv, name="history_csv"),
    path("data/import/", views.ratings_import, name="ratings_import"),
]
