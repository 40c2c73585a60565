"""Secrets Marquee must use again but never show: a media server's API key.

Sealed with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived from
`MARQUEE_SECRETS_KEY`, or from `SECRET_KEY` where that is not set. A sealed value is
useless without the key, so a database dump or backup does not give the household's
servers away. Changing the key (or SECRET_KEY, without MARQUEE_SECRETS_KEY) leaves the
sealed values unreadable: they are entered again, and until then the admin says so.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """Sealed under another key, or altered."""


def _fernet() -> Fernet:
    material = (settings.MARQUEE_SECRETS_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"marquee secret box").derive(
        material
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable(
            "The stored key cannot be read (the site's secret key changed?): enter it again."
        ) from None
