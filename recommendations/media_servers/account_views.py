"""An account's own media servers: connect one, map its users to profiles, sync it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from recommendations.media_servers import services
from recommendations.media_servers.forms import ServerForm, UserMappingForm
from recommendations.media_servers.models import MediaServer, UnmatchedPlay


def address_once(request: HttpRequest, server: MediaServer, token: str) -> None:
    """The webhook address, shown this once: only its token's digest is kept."""
    url = request.build_absolute_uri(reverse("recommendations:media_server_webhook", args=[token]))
    messages.warning(
        request,
        format_html(
            'The webhook address of {}: <code class="secret">{}</code> — paste it into the '
            "server's webhook settings now (README, “Media servers”). It is not kept and "
            "will not be shown again; “Rotate the webhook address” makes a new one.",
            server.name,
            url,
        ),
    )


def _own(request: HttpRequest, pk: int) -> MediaServer:
    # Another account's server, or the site's, is no business of this page: a 404.
    return get_object_or_404(MediaServer, pk=pk, account=request.user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def server_list(request: HttpRequest) -> HttpResponse:
    form = ServerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        server = form.save(commit=False)
        server.account = request.user
        token = services.webhook_token_new(server)
        server.save()
        address_once(request, server, token)
        return redirect("media_servers:detail", pk=server.pk)
    servers = (
        MediaServer.objects.filter(account=request.user)
        .annotate(kept=Count("unmatched_plays", filter=Q(unmatched_plays__applied_at=None)))
        .order_by("name", "pk")
    )
    return TemplateResponse(
        request, "recommendations/media_servers.html", {"servers": servers, "form": form}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def server_detail(request: HttpRequest, pk: int) -> HttpResponse:
    server = _own(request, pk)
    users = list(server.users.select_related("profile").order_by("name", "pk"))
    form = ServerForm(request.POST if "save" in request.POST else None, instance=server)
    mapping = UserMappingForm(
        request.POST if "map" in request.POST else None, users=users, account=request.user
    )
    if request.method == "POST" and "save" in request.POST and form.is_valid():
        saved = form.save()
        messages.success(request, f"{saved.name} is saved.")
        return redirect("media_servers:detail", pk=server.pk)
    if request.method == "POST" and "map" in request.POST and mapping.is_valid():
        with transaction.atomic():
            changed = mapping.changed_users()
            for user, profile in changed:
                user.profile = profile
                user.save(update_fields=["profile"])
            counts = services.unmatched_apply_query(
                UnmatchedPlay.objects.filter(server_user__in=[u for u, p in changed if p])
            )
        recorded = counts.get("recorded", 0)
        messages.success(
            request,
            "Profiles saved." + (f" {recorded} plays kept aside now count." if recorded else ""),
        )
        return redirect("media_servers:detail", pk=server.pk)
    kept = server.unmatched_plays.filter(applied_at=None).count()
    return TemplateResponse(
        request,
        "recommendations/media_server.html",
        {"server": server, "form": form, "mapping": mapping, "users": users, "kept": kept},
    )


@login_required
@require_POST
def server_sync(request: HttpRequest, pk: int) -> HttpResponse:
    server = _own(request, pk)
    if not server.api_key_sealed:
        messages.error(request, "Enter the server's API key first: the sync reads it with it.")
    else:
        services.sync_request(server)
        messages.info(request, "Sync queued: its progress shows here.")
    return redirect("media_servers:detail", pk=server.pk)


@login_required
@require_POST
def server_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    server = _own(request, pk)
    address_once(request, server, services.webhook_token_new(server))
    return redirect("media_servers:detail", pk=server.pk)


@login_required
@require_POST
def server_delete(request: HttpRequest, pk: int) -> HttpResponse:
    server = _own(request, pk)
    name = server.name
    server.delete()
    messages.success(
        request, f"{name} is disconnected. What its users watched stays in their profiles."
    )
    return redirect("media_servers:list")
