"""The private address each media server posts its playback events to."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recommendations.media_servers import services
from recommendations.media_servers.models import MediaServer
from recommendations.media_servers.payloads import Ignored, PayloadError, ServerKind, parse

logger = logging.getLogger(__name__)

# The part of a multipart body that holds the JSON: Plex's `payload`, Emby's `data`.
FORM_FIELDS = {ServerKind.PLEX: "payload", ServerKind.EMBY: "data", ServerKind.JELLYFIN: "data"}


# The token in the address is the credential: the servers send no cookie, no CSRF token,
# no signature.
@csrf_exempt
@require_POST
def webhook(request: HttpRequest, token: str) -> JsonResponse:
    server = services.server_by_token(token)
    if server is None:
        logger.warning("Media server webhook with an unknown token (…%s)", token[-4:])
        return JsonResponse({"detail": "No such webhook address."}, status=404)
    kind = ServerKind(server.kind)
    try:
        text = _body_text(request, kind)
        play = parse(kind, text, received_at=timezone.now())
    except PayloadError as error:
        _refused(server, str(error))
        return JsonResponse({"detail": str(error)}, status=400)
    except Ignored as ignored:
        return JsonResponse({"status": "ignored", "detail": str(ignored)})
    outcome = services.play_record(server=server, play=play)
    return JsonResponse({"status": outcome.status, "detail": outcome.detail})


def _body_text(request: HttpRequest, kind: ServerKind) -> str:
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type == (
        "application/x-www-form-urlencoded"
    ):
        field = FORM_FIELDS[kind]
        if field not in request.POST:
            raise PayloadError(f"The form has no '{field}' part.")
        return request.POST[field]
    try:
        # Jellyfin's plugin says text/plain unless told otherwise; the body is JSON all
        # the same.
        return request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("The body is not UTF-8 text.") from None


def _refused(server: MediaServer, message: str) -> None:
    logger.warning(
        "Media server %s (…%s) sent a body refused: %s",
        server.pk,
        server.webhook_token_hint,
        message,
    )
    services.server_error_note(server, message)
