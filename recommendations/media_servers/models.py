"""A household's media servers, their users as profiles, and plays not yet placed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Profile
from catalog.models import Episode, Title


class SyncStatus(models.TextChoices):
    NEVER = "never", "Never synced"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class MediaServer(models.Model):
    """A Jellyfin, Emby or Plex server whose playback Marquee learns from.

    The servers cannot sign what they send, so each one posts to a private address that
    holds a random token. Only its digest is kept: the address is shown once, when the
    server is added or the token rotated.
    """

    class Kind(models.TextChoices):
        JELLYFIN = "jellyfin", "Jellyfin"
        EMBY = "emby", "Emby"
        PLEX = "plex", "Plex"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    base_url = models.URLField(
        "address",
        help_text="Where the household reaches the server, e.g. http://192.168.1.10:8096.",
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="media_servers",
        help_text="Whose server it is. Empty: the whole site's, its users mapped to any profile.",
    )
    # Sealed (config.secret_box): the library sync reads the server with it.
    api_key_sealed = models.TextField(blank=True, editable=False)
    # Jellyfin's and Emby's ServerId, Plex's machineIdentifier: links into its web app.
    server_id = models.CharField(max_length=100, blank=True, editable=False)
    webhook_token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The token's last characters: enough to tell two addresses apart in a log.
    webhook_token_hint = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_event_at = models.DateTimeField("last event", null=True, blank=True, editable=False)
    events_accepted = models.PositiveIntegerField(default=0, editable=False)
    events_rejected = models.PositiveIntegerField("errors", default=0, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_status = models.CharField(
        max_length=10, choices=SyncStatus.choices, default=SyncStatus.NEVER, editable=False
    )
    sync_progress = models.CharField(max_length=200, blank=True, editable=False)
    last_sync_at = models.DateTimeField("last sync", null=True, blank=True, editable=False)
    last_sync_error = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["jellyfin", "emby", "plex"]),
                name="rec_mediaserver_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class MediaServerUser(models.Model):
    """One of a server's users, as its webhooks name them, and the profile they watch as."""

    server = models.ForeignKey(MediaServer, on_delete=models.CASCADE, related_name="users")
    # Without dashes, in lower case (`payloads.user_id_normal`).
    external_id = models.CharField("user id on the server", max_length=100)
    name = models.CharField(max_length=150, blank=True)
    profile = models.ForeignKey(
        Profile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="media_server_users",
        help_text="What this user watches counts for this profile. Empty: kept aside.",
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["server", "name", "id"]
        verbose_name = "media server user"
        constraints = [
            models.UniqueConstraint(
                fields=["server", "external_id"], name="rec_mediaserveruser_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.external_id} on {self.server.name}"


class UnmatchedPlay(models.Model):
    """A play kept aside: its title is not in the catalogue, or its user has no profile.

    A curator places it (a title, or a profile for the user) and it counts then, in the
    order the plays happened.
    """

    class Reason(models.TextChoices):
        TITLE = "title", "Title not found"
        USER = "user", "User not mapped"

    server = models.ForeignKey(
        MediaServer, on_delete=models.CASCADE, related_name="unmatched_plays"
    )
    server_user = models.ForeignKey(
        MediaServerUser, on_delete=models.CASCADE, related_name="unmatched_plays"
    )
    reason = models.CharField(max_length=5, choices=Reason.choices)
    event_key = models.CharField(max_length=64, editable=False)
    action = models.CharField(max_length=10)
    item_id = models.CharField("item id on the server", max_length=100)
    is_episode = models.BooleanField(default=False)
    name = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    series_name = models.CharField(max_length=300, blank=True)
    season = models.PositiveSmallIntegerField(null=True, blank=True)
    episode_number = models.PositiveSmallIntegerField(null=True, blank=True)
    imdb_id = models.CharField("IMDb id", max_length=12, blank=True)
    tmdb_id = models.PositiveIntegerField("TMDb id", null=True, blank=True)
    position_seconds = models.PositiveIntegerField(null=True, blank=True)
    runtime_seconds = models.PositiveIntegerField(null=True, blank=True)
    stars = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    # Set by a curator when no id or name finds it.
    title = models.ForeignKey(
        Title,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The catalogue's title this play is of.",
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["server", "event_key"], name="rec_unmatched_once"),
            models.CheckConstraint(
                condition=Q(reason__in=["title", "user"]), name="rec_unmatched_reason_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["server_user", "applied_at"], name="rec_unmatched_pending"),
        ]

    def __str__(self) -> str:
        what = (
            f"{self.series_name} S{self.season}E{self.episode_number}"
            if self.is_episode
            else (f"{self.name} ({self.year})" if self.year else self.name)
        )
        return f"{what}, {self.get_reason_display().lower()}"


class Availability(models.Model):
    """A title (or one of its episodes) on a server, as its last library sync found it."""

    server = models.ForeignKey(MediaServer, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField("item id on the server", max_length=100)
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="availability")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "availability"
        constraints = [
            models.UniqueConstraint(fields=["server", "item_id"], name="rec_availability_once"),
        ]
        indexes = [models.Index(fields=["title", "server"], name="rec_availability_title")]

    def __str__(self) -> str:
        return f"{self.title_id} on {self.server_id} as {self.item_id}"


class LibraryOptions(models.Model):
    """The site's one row of options for what its media servers hold."""

    only_available = models.BooleanField(
        "only what we own",
        default=False,
        help_text=(
            "Home rows and “More like this” show only titles a synced media server has. "
            "Search and browsing still find the whole catalogue. Without any synced title "
            "the rows show everything, as before."
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = "library options"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="rec_libraryoptions_one")]

    def __str__(self) -> str:
        return "Library options"

    @classmethod
    def current(cls) -> LibraryOptions:
        return cls.objects.get_or_create(pk=1)[0]
