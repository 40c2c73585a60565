"""Where a profile can play a title for real: the household's media servers that have it."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Profile
from catalog.models import Episode, Title
from recommendations.media_servers.clients import CLIENTS
from recommendations.media_servers.models import Availability


def web_client_url(*, profile: Profile, title: Title, episode: Episode | None) -> str | None:
    """The item in the web app of a server that has it (the site's, or the profile's
    account's), at the item's page; None when no synced server has it."""
    found = (
        Availability.objects.filter(title=title, episode=episode)
        .filter(Q(server__account=None) | Q(server__account_id=profile.account_id))
        .exclude(server__server_id="")
        .select_related("server")
        .order_by("server__name", "server_id")
        .first()
    )
    if found is None:
        return None
    client = CLIENTS[found.server.kind](base_url=found.server.base_url, api_key="")
    client.server_id = found.server.server_id
    return client.web_url(found.item_id)
