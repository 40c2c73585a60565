from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse

from catalog.selectors import MaturityForbidden
from config.database_outage import DATABASE_ERRORS, database_unavailable


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        # API clients get JSON for unknown routes too, not the site's page.
        return JsonResponse({"detail": "Not found."}, status=404)
    response = TemplateResponse(request, "404.html", status=404)
    return response.render()


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"maturity": isinstance(exception, MaturityForbidden)}
    return TemplateResponse(request, "403.html", context, status=403).render()


def server_error(request: HttpRequest) -> HttpResponse:
    # A database outage met before any view ran (a middleware's session or profile lookup).
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        return database_unavailable(request, exc)
    # No context processors: whatever failed may fail again while rendering them.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
