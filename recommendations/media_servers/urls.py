from django.urls import path

from recommendations.media_servers import account_views

# Included under /account/ (config/urls.py).
app_name = "media_servers"

urlpatterns = [
    path("media-servers/", account_views.server_list, name="list"),
    path("media-servers/<int:pk>/", account_views.server_detail, name="detail"),
    path("media-servers/<int:pk>/sync/", account_views.server_sync, name="sync"),
    path("media-servers/<int:pk>/rotate/", account_views.server_rotate, name="rotate"),
    path("media-servers/<int:pk>/delete/", account_views.server_delete, name="delete"),
]
