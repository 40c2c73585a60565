"""The profile lock: what a session may do without the account's password or a PIN.

A session that enters a kids profile is held by it. Leaving — for another profile, the
profile's own settings, the account pages or the admin — needs the account's password, or
the PIN of the profile it goes to. Any session needs a profile's PIN (or the password) to
enter a profile that has one. What was unlocked is kept in the session, so it ends with
the session; entering a kids profile forgets it, since that is the moment the screen is
handed to a child.

This module only reads the session; `accounts.services` writes it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accounts.models import Profile

SESSION_KEY = "marquee_profile_id"
# True from entering a kids profile until the password or a PIN lets the session out.
# Kept apart from the profile id: a session whose kids profile was deleted under it
# stays held, rather than falling back to the account's own rights.
KIDS_KEY = "marquee_kids_lock"
# Ids of the profiles whose PIN (or the password) was given in this session.
UNLOCKED_KEY = "marquee_unlocked_profiles"


class Credential(enum.Enum):
    """What a move asks for."""

    NONE = "none"
    PASSWORD = "password"
    PIN_OR_PASSWORD = "pin-or-password"


@dataclass(frozen=True)
class SessionLock:
    """The lock state of one session, read once per request (`CurrentProfileMiddleware`)."""

    profile_id: int | None
    # Held by a kids profile: no account-level page or change without the password.
    kids: bool
    unlocked: frozenset[int]

    @classmethod
    def read(cls, session: Mapping[str, Any], profile: Profile | None) -> SessionLock:
        unlocked = session.get(UNLOCKED_KEY) or []
        return cls(
            profile_id=profile.pk if profile is not None else None,
            # The profile's own flag as well: a curator may have made the current profile a
            # kids profile since this session entered it.
            kids=bool(session.get(KIDS_KEY)) or (profile is not None and profile.is_kids),
            unlocked=frozenset(pk for pk in unlocked if isinstance(pk, int)),
        )

    def to_enter(self, profile: Profile) -> Credential:
        """What watching as `profile` asks of this session."""
        if profile.pk == self.profile_id:
            return Credential.NONE
        if self.kids:
            return Credential.PIN_OR_PASSWORD if profile.has_pin else Credential.PASSWORD
        if profile.has_pin and profile.pk not in self.unlocked:
            return Credential.PIN_OR_PASSWORD
        return Credential.NONE

    def to_manage(self) -> Credential:
        """What the account pages, profile settings and the admin ask of this session."""
        return Credential.PASSWORD if self.kids else Credential.NONE


# A session that is not signed in, or a request from outside a session (an API token: it
# was given for the account's password).
OPEN = SessionLock(profile_id=None, kids=False, unlocked=frozenset())
