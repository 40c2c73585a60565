"""A profile's page context, read from the database and the serving model."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Profile
from recommendations import engine
from recommendations.activity import activity_read
from recommendations.core.page import context as core_context
from recommendations.core.page.intent import Intent
from recommendations.home.catalogue import catalogue


def profile_context(profile: Profile, intent: Intent) -> core_context.PageContext:
    """The profile's scores and masks over the catalogue, with the serving model."""
    serving = engine.serving_model()
    return core_context.page_context(
        cat=catalogue(),
        activity=activity_read(profile),
        intent=intent,
        now=timezone.now(),
        profile_name=profile.name,
        max_age=profile.max_maturity_age,
        model=serving.model if serving else None,
        version=serving.version.pk if serving else 0,
        weights=serving.weights if serving else None,
    )
