from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "Marquee curation"
admin.site.site_title = "Marquee admin"
admin.site.index_title = "Catalogue and accounts"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("accounts.urls")),
    path("account/", include("recommendations.profile_data.urls")),
    path("account/", include("recommendations.media_servers.urls")),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from drf_spectacular_sidecar's static files (SPECTACULAR_SETTINGS): no CDN.
    # The split view serves its set-up script from ?script, as a file: the CSP refuses
    # inline scripts.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="api-docs",
    ),
    path("", include("recommendations.urls")),
    path("", include("catalog.urls")),
]

# Curator-uploaded posters, and nothing else of MEDIA_ROOT: whatever else lands there is
# never a URL. In production put MEDIA_ROOT/posters behind the web server instead.
if settings.DEBUG or settings.MARQUEE_SERVE_MEDIA:
    urlpatterns += [
        path(
            "media/posters/<path:path>",
            serve,
            {"document_root": Path(settings.MEDIA_ROOT) / "posters"},
        )
    ]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
handler403 = "config.views.permission_denied"
