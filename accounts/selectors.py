from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Profile, User


def profile_list(*, account: User) -> QuerySet[Profile]:
    return Profile.objects.filter(account=account).order_by("created_at", "id")


def profile_get_for_account(*, account: User, profile_id: int) -> Profile:
    """The account's own profile, or 404: another account's id is indistinguishable from none."""
    return get_object_or_404(Profile, pk=profile_id, account=account)
