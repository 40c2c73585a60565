"""A database that drops out answers 503 "try again shortly", not 500, and heals itself.

When PostgreSQL restarts, fails over or kills a backend, the request that was using the
connection fails with OperationalError or InterfaceError. That is an outage, not a bug:
the page says so (a 503 with Retry-After; JSON for the API) and the broken connection is
closed here, so the next request opens a fresh one instead of failing on the dead one
(CONN_HEALTH_CHECKS would catch it too, but only where request signals run).
Errors raised by a view reach the middleware; those raised before it (a session or
profile lookup in another middleware) reach `config.views.server_error`, which answers
the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    _close_broken_connections()
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exc)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The service is briefly unavailable. Try again in a moment."}, status=503
        )
    else:
        # No context processors: they would query the database that just failed.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _close_broken_connections() -> None:
    for conn in connections.all(initialized_only=True):
        # Inside an atomic block the block's owner rolls back and closes; closing here
        # would only mark it for that.
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None
