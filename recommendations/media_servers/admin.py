"""Curating media servers: their webhook address, their users' profiles, plays kept aside."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from accounts.models import Profile
from config.secret_box import SecretUnreadable, unseal
from recommendations.media_servers import services
from recommendations.media_servers.account_views import address_once
from recommendations.media_servers.forms import ServerForm
from recommendations.media_servers.models import (
    LibraryOptions,
    MediaServer,
    MediaServerUser,
    UnmatchedPlay,
)


class MediaServerUserInline(admin.TabularInline):
    model = MediaServerUser
    extra = 0
    can_delete = True
    fields = ["name", "external_id", "profile", "last_seen_at"]
    readonly_fields = ["name", "external_id", "last_seen_at"]
    verbose_name_plural = "users (as the server's webhooks name them)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Users appear with their first event; a curator chooses their profile.
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "profile":
            server = getattr(request, "_media_server", None)
            profiles = Profile.objects.select_related("account").order_by("account__email", "name")
            if server is not None and server.account_id is not None:
                # An account's server feeds only that account's profiles.
                profiles = profiles.filter(account_id=server.account_id)
            kwargs["queryset"] = profiles
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MediaServerForm(ServerForm):
    class Meta(ServerForm.Meta):
        fields = [*ServerForm.Meta.fields, "account"]


@admin.register(MediaServer)
class MediaServerAdmin(admin.ModelAdmin):
    form = MediaServerForm
    list_display = [
        "name",
        "kind",
        "account",
        "last_event_at",
        "events_accepted",
        "events_rejected",
        "last_error",
        "plays_kept_aside",
        "sync_status",
        "last_sync_at",
    ]
    list_filter = ["kind", "sync_status"]
    search_fields = ["name", "base_url"]
    fields = [
        "name",
        "kind",
        "base_url",
        "account",
        "api_key",
        "api_key_state",
        "webhook_address",
        "last_event_at",
        "events_accepted",
        "events_rejected",
        "last_error",
        "last_error_at",
        "sync_status",
        "sync_progress",
        "last_sync_at",
        "last_sync_error",
    ]
    readonly_fields = [
        "api_key_state",
        "sync_status",
        "sync_progress",
        "last_sync_at",
        "last_sync_error",
        "webhook_address",
        "last_event_at",
        "events_accepted",
        "events_rejected",
        "last_error",
        "last_error_at",
    ]
    autocomplete_fields = ["account"]
    inlines = [MediaServerUserInline]
    actions = ["sync_now", "rotate_webhook_address"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MediaServer]:
        return (
            super()
            .get_queryset(request)
            .select_related("account")
            .annotate(kept=Count("unmatched_plays", filter=Q(unmatched_plays__applied_at=None)))
        )

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        request._media_server = obj  # for the inline's choice of profiles
        return super().get_form(request, obj, **kwargs)

    @admin.display(description="webhook address")
    def webhook_address(self, server: MediaServer) -> str:
        if not server.pk:
            return "Shown once, when the server is saved."
        return f"…/hooks/media/…{server.webhook_token_hint}/ (shown once; rotate for a new one)"

    @admin.display(description="plays kept aside", ordering="kept")
    def plays_kept_aside(self, server: MediaServer) -> int:
        return server.kept

    @admin.display(description="API key stored")
    def api_key_state(self, server: MediaServer) -> str:
        if not server.api_key_sealed:
            return "No: the library sync needs one."
        try:
            unseal(server.api_key_sealed)
        except SecretUnreadable as error:
            return str(error)
        return "Yes (sealed; never shown)."

    def save_model(self, request: HttpRequest, obj: MediaServer, form: Any, change: bool) -> None:
        token = None if change else services.webhook_token_new(obj)
        super().save_model(request, obj, form, change)
        if token is not None:
            address_once(request, obj, token)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is MediaServerUser:
            # Plays kept aside for users who now have a profile count now, in order.
            mapped = [
                f.instance
                for f in formset.forms
                if "profile" in f.changed_data and f.instance.profile_id
            ]
            if mapped:
                _apply_and_report(
                    request,
                    UnmatchedPlay.objects.filter(server_user__in=mapped, applied_at=None),
                )

    @admin.action(description="Sync now: read the library and the users' played state")
    def sync_now(self, request: HttpRequest, queryset: QuerySet[MediaServer]) -> None:
        ready = list(queryset.exclude(api_key_sealed=""))
        if len(ready) < queryset.count():
            messages.error(request, "A server without an API key cannot be synced: enter one.")
        for server in ready:
            services.sync_request(server)
        if ready:
            messages.info(request, "Sync queued: its progress shows on each server's page.")

    @admin.action(description="Rotate the webhook address (the old one stops working)")
    def rotate_webhook_address(self, request: HttpRequest, queryset: QuerySet[MediaServer]) -> None:
        for server in queryset:
            address_once(request, server, services.webhook_token_new(server))


def _apply_and_report(request: HttpRequest, plays: QuerySet[UnmatchedPlay]) -> None:
    counts = services.unmatched_apply_query(plays)
    if counts:
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        messages.info(request, f"Plays kept aside: {summary}.")


class UnmatchedPlayForm(forms.ModelForm):
    class Meta:
        model = UnmatchedPlay
        fields = ["title", "episode"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        title, episode = data.get("title"), data.get("episode")
        if title is not None and title.is_series and episode is None and self.instance.is_episode:
            self.add_error("episode", "An episode's play needs the episode too.")
        if episode is not None and (title is None or episode.season.title_id != title.pk):
            self.add_error("episode", "This episode is not of that series.")
        return data


@admin.register(UnmatchedPlay)
class UnmatchedPlayAdmin(admin.ModelAdmin):
    form = UnmatchedPlayForm
    list_display = [
        "__str__",
        "server",
        "server_user",
        "action",
        "occurred_at",
        "reason",
        "imdb_id",
        "tmdb_id",
        "applied_at",
        "outcome",
    ]
    list_filter = ["reason", "server", ("applied_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "series_name", "imdb_id", "server_user__name"]
    list_select_related = ["server", "server_user__server", "title"]
    autocomplete_fields = ["title"]
    raw_id_fields = ["episode"]
    readonly_fields = [
        "server",
        "server_user",
        "reason",
        "action",
        "item_id",
        "is_episode",
        "name",
        "year",
        "series_name",
        "season",
        "episode_number",
        "imdb_id",
        "tmdb_id",
        "position_seconds",
        "runtime_seconds",
        "stars",
        "occurred_at",
        "received_at",
        "applied_at",
        "outcome",
    ]
    actions = ["apply_plays"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: UnmatchedPlay, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.title_id and obj.applied_at is None:
            _apply_and_report(request, UnmatchedPlay.objects.filter(pk=obj.pk))

    @admin.action(description="Count the selected plays now (their user mapped, title found)")
    def apply_plays(self, request: HttpRequest, queryset: QuerySet[UnmatchedPlay]) -> None:
        _apply_and_report(request, queryset)


@admin.register(LibraryOptions)
class LibraryOptionsAdmin(admin.ModelAdmin):
    # One row: the list opens it.
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        options = LibraryOptions.current()
        return HttpResponseRedirect(
            reverse("admin:recommendations_libraryoptions_change", args=[options.pk])
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
