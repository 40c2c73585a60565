"""Production: HTTPS, secure cookies, a real secret. Only environment variables differ."""

import os

os.environ.setdefault("DEBUG", "false")

from config import env  # noqa: E402

from .base import *  # noqa: E402,F403
from .base import DEBUG, MARQUEE_TRUSTED_PROXIES  # noqa: E402

if DEBUG:
    raise env.ImproperlyConfigured("DEBUG: must be off with config.settings.production.")

SECRET_KEY = env.get_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise env.ImproperlyConfigured("SECRET_KEY: use at least 50 random characters in production.")
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise env.ImproperlyConfigured("ALLOWED_HOSTS: required in production.")

# Only a proxy of ours may say the request came over HTTPS: without one, any client could
# send X-Forwarded-Proto. The proxy must set the header, not append to it.
if MARQUEE_TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.get_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
