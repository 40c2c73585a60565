"""What each viewing profile tells us: ratings, watching, lists and refusals.

These rows are the signals the recommendation engine learns from. Every one belongs to a
profile, never to an account, and the database guards their ranges and uniqueness.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Episode, Title

HALF_STARS = [Decimal(n) / 2 for n in range(1, 11)]


class Thumbs(models.IntegerChoices):
    DOWN = -1, "Not for me"
    UP = 1, "I like this"
    TWO_UP = 2, "Love this!"


class Source(models.TextChoices):
    SITE = "site", "Site"
    API = "api", "API"
    IMPORT = "import", "Import"
    ONBOARDING = "onboarding", "Onboarding"
    MEDIA_SERVER = "server", "Media server"


class Rating(models.Model):
    """One rating per profile and title, kept on both scales so either can be shown."""

    class Scale(models.TextChoices):
        STARS = "stars", "Stars"
        THUMBS = "thumbs", "Thumbs"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="ratings")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="ratings")
    stars = models.DecimalField(max_digits=2, decimal_places=1)
    thumbs = models.SmallIntegerField(choices=Thumbs.choices)
    scale = models.CharField(
        max_length=6, choices=Scale.choices, help_text="The scale the viewer rated on."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SITE)
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-rated_at", "-id"]
        # No index of its own on title: the foreign key has one.
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="rec_rating_one_per_title"),
            models.CheckConstraint(
                condition=Q(stars__in=HALF_STARS),
                name="rec_rating_stars_half_steps",
                violation_error_message="Stars go from 0.5 to 5 in half steps.",
            ),
            models.CheckConstraint(
                condition=Q(thumbs__in=Thumbs.values), name="rec_rating_thumbs_valid"
            ),
            models.CheckConstraint(
                condition=Q(scale__in=["stars", "thumbs"]), name="rec_rating_scale_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} rated {self.title}: {self.stars}★"


class ListItem(models.Model):
    """My List."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="list_items")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="rec_listitem_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title_id} on {self.profile_id}'s list"


class NotInterested(models.Model):
    """A title hidden from every recommendation row of a profile."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="not_interested")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "not interested"
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="rec_notinterested_unique")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} is not interested in {self.title_id}"


class TasteExclusion(models.Model):
    """ "Don't use this for my recommendations": kept in history, left out of taste."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="taste_exclusions")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="rec_tasteexclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} keeps {self.title_id} out of their taste"


class WatchEvent(models.Model):
    """The append-only log of player heartbeats."""

    class Kind(models.TextChoices):
        START = "start", "Start"
        PROGRESS = "progress", "Progress"
        PAUSE = "pause", "Pause"
        STOP = "stop", "Stop"
        SEEK = "seek", "Seek"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="watch_events")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    client_event_id = models.UUIDField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    position_seconds = models.PositiveIntegerField()
    occurred_at = models.DateTimeField(help_text="When the player says it happened.")
    received_at = models.DateTimeField(default=timezone.now)
    is_private = models.BooleanField(default=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["profile", "title", "occurred_at"], name="rec_event_profile_title")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "client_event_id"], name="rec_event_idempotent"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["start", "progress", "pause", "stop", "seek"]),
                name="rec_event_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.position_seconds}s of {self.title_id}"


class WatchProgress(models.Model):
    """Where a profile is in a title (episode=None) or in one episode of a series.

    A series has one title-level row, summarising its episodes for history and rows, and
    one row per episode started.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="progress")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    runtime_seconds = models.PositiveIntegerField()
    last_position = models.PositiveIntegerField(default=0)
    furthest_position = models.PositiveIntegerField(default=0)
    seconds_watched = models.PositiveIntegerField(default=0)
    percent = models.FloatField(default=0.0)
    started_at = models.DateTimeField(default=timezone.now)
    last_watched_at = models.DateTimeField(default=timezone.now)
    last_event_kind = models.CharField(max_length=8, choices=WatchEvent.Kind.choices, blank=True)
    completed = models.BooleanField(default=False)
    times_completed = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    # False once any non-private watching happened: only then is it a signal.
    is_private = models.BooleanField(default=False)
    # For the title-level row of a series: the episode watched last, to resume it.
    current_episode = models.ForeignKey(
        Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "Remove from row" on Continue watching: the progress stays, the row forgets it until
    # the profile watches the title again.
    hidden_from_continue = models.BooleanField(default=False)

    class Meta:
        ordering = ["-last_watched_at", "-id"]
        verbose_name_plural = "watch progress"
        indexes = [models.Index(fields=["profile", "-last_watched_at"], name="rec_progress_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "title"],
                condition=Q(episode__isnull=True),
                name="rec_progress_one_per_title",
            ),
            models.UniqueConstraint(
                fields=["profile", "episode"],
                condition=Q(episode__isnull=False),
                name="rec_progress_one_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="rec_progress_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(runtime_seconds__gte=1), name="rec_progress_runtime_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} at {self.percent:.0f}% of {self.title_id}"

    @property
    def is_abandoned(self) -> bool:
        """Stopped early and not resumed for a while: a signal of dislike."""
        quiet_since = timezone.now() - timedelta(days=settings.MARQUEE_ABANDONED_AFTER_DAYS)
        return (
            not self.completed
            and self.percent < 100 * settings.MARQUEE_ABANDONED_BELOW
            and self.last_watched_at < quiet_since
        )


class TrendingTitle(models.Model):
    """Time-decayed recent viewing of a title on this instance (refresh_trending)."""

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="trending")
    score = models.FloatField()
    viewers_today = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-score"]
        indexes = [models.Index(fields=["-score"], name="rec_trending_score")]

    def __str__(self) -> str:
        return f"{self.title_id}: {self.score:.2f}"


class ModelVersion(models.Model):
    """One trained recommendation model: its parameters, data, metrics and artifact.

    At most one version is active (a partial unique constraint) and at most one is training
    at a time (the single-flight lock of train_model).
    """

    class Status(models.TextChoices):
        TRAINING = "training", "Training"
        READY = "ready", "Ready"
        ACTIVE = "active", "Active"
        FAILED = "failed", "Failed"
        RETIRED = "retired", "Retired"

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.TRAINING)
    params = models.JSONField(default=dict, blank=True)
    data_counts = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(
        default=dict, blank=True, help_text="Ours and the baselines', on the held-out split."
    )
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per phase.")
    artifact = models.CharField(
        max_length=255, blank=True, help_text="Path in the private storage (never served)."
    )
    artifact_sha256 = models.CharField(
        max_length=64, blank=True, help_text="The file's SHA-256, checked before it is loaded."
    )
    gate_reason = models.TextField(blank=True, help_text="Why the quality gate held it back.")
    error = models.TextField(blank=True)
    signals_seen = models.PositiveBigIntegerField(
        default=0, help_text="Signals in the database when training read them."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The training lease: renewed while the worker trains; a TRAINING row whose lease
    # lapsed belongs to a worker that died, and no longer holds the single-training lock.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="rec_version_one_active"
            ),
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="training"), name="rec_version_one_training"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["training", "ready", "active", "failed", "retired"]),
                name="rec_version_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Model {self.pk} ({self.get_status_display()})"

    def metric(self, model: str, name: str) -> float | None:
        value = self.metrics.get(model, {}).get(name)
        return float(value) if value is not None else None


class CatalogueArrays(models.Model):
    """The published catalogue as arrays, written by a task for web processes to map.

    The newest row serves; a page never waits for a build except the very first.
    """

    stamp = models.CharField(max_length=64, help_text="The catalogue's state it was built from.")
    artifact = models.CharField(
        max_length=255, help_text="Path in the private storage (never served)."
    )
    artifact_sha256 = models.CharField(max_length=64)
    titles = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0, help_text="How long the build took.")
    built_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-built_at", "-id"]
        verbose_name_plural = "catalogue arrays"

    def __str__(self) -> str:
        return f"Catalogue arrays {self.pk} ({self.titles} titles)"


# The media servers' models live with their code; importing them here registers them.
from recommendations.media_servers.models import (  # noqa: E402, F401
    Availability,
    LibraryOptions,
    MediaServer,
    MediaServerUser,
    UnmatchedPlay,
)
