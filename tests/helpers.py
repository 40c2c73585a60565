from __future__ import annotations

from django.test import Client

from accounts.models import Profile
from accounts.services import SESSION_KEY


def watch_as(client: Client, profile: Profile) -> Client:
    """Put `profile` in the client's session as the current profile (the client is signed in)."""
    session = client.session
    session[SESSION_KEY] = profile.pk
    session.save()
    return client
