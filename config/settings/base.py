"""Settings shared by every environment. Everything variable comes from the environment.

See docs/configuration in README.md for the variables; production.py only tightens what
is read here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.management.utils import get_random_secret_key

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.get_str("MARQUEE_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.get_bool("DEBUG", False)

SECRET_KEY = env.get_str("SECRET_KEY", None)
if not SECRET_KEY:
    if not DEBUG:
        raise env.ImproperlyConfigured("SECRET_KEY: required when DEBUG is off.")
    # A development key, kept in var/ so sessions survive restarts of the dev server.
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])
TIME_ZONE = env.get_timezone("TIME_ZONE", "UTC")
USE_TZ = True
LANGUAGE_CODE = "en"
USE_I18N = True

DATABASES = {
    "default": env.get_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'marquee.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_celery_results",
    "accounts",
    "catalog",
    "recommendations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the policies too.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # The account and its chosen profile in one query, for the two below.
    "accounts.viewer.ViewerMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A page opened right after the player waits for its last heartbeat: after the user is
    # known, before the profile is read.
    "recommendations.middleware.PendingWatchEventMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentProfileMiddleware",
    # Last, so a view's database error reaches it first: a 503, and the connection closed.
    "config.database_outage.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.profiles",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
# Django's model backend, handed the account read together with the profile.
AUTHENTICATION_BACKENDS = ["accounts.viewer.ViewerBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile_picker"
LOGOUT_REDIRECT_URL = "recommendations:home"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded posters: bytes and pixels (width × height). Pillow refuses to open anything
# larger than the pixel limit (catalog.apps), so a small file that decompresses into a
# huge image (a "decompression bomb") is refused before it is decoded.
MARQUEE_POSTER_MAX_BYTES = env.get_int("MARQUEE_POSTER_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
MARQUEE_POSTER_MAX_PIXELS = env.get_int("MARQUEE_POSTER_MAX_PIXELS", 40_000_000, minimum=1)
# Bodies other than files (forms, and JSON: DRF reads it through request.body, which
# applies this): the largest the site takes is 100 watch events, a few tens of kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Uploads above this go to a temporary file rather than memory (Django's default).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Trained models hold every profile's history: they live apart from MEDIA_ROOT, which
# is served, in a folder no URL maps to.
PRIVATE_ROOT = Path(env.get_str("MARQUEE_PRIVATE_ROOT", str(VAR_DIR / "private"))).resolve()
if MEDIA_ROOT.resolve() in (PRIVATE_ROOT, *PRIVATE_ROOT.parents):
    raise env.ImproperlyConfigured("MARQUEE_PRIVATE_ROOT: must not be inside MEDIA_ROOT.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None, "file_permissions_mode": 0o600},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env.get_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "Marquee <marquee@localhost>")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # A home plan is a dozen entries (the page and each row's part, recommendations.home
        # .plan), about 120 kB: room for some 250 profiles' plans in the process.
        "OPTIONS": {"MAX_ENTRIES": 3000},
    }
}
_redis_cache = env.get_str("REDIS_CACHE_URL", "")
if _redis_cache:
    # Short timeouts, and local memory while Redis is unreachable (config.cache): a cache
    # outage slows nothing down and fails no request.
    CACHES["default"] = {
        "BACKEND": "config.cache.FallbackRedisCache",
        "LOCATION": _redis_cache,
    }
# Sessions read from the cache, written through to the database (Django's cached_db, each
# copy cached for a minute: config.sessions says why): no session query per request.
SESSION_ENGINE = "config.sessions"

# How many reverse proxies sit in front of the site, each appending to X-Forwarded-For.
# 0: the header is the client's say and is ignored; the peer's address is the client's.
# Every limit (accounts.limits.client_address) and DRF's throttles read it the same way.
MARQUEE_TRUSTED_PROXIES = env.get_int("MARQUEE_TRUSTED_PROXIES", 0, minimum=0)

REST_FRAMEWORK = {
    # Token first: DRF answers a request it cannot authenticate with the first class's
    # challenge, so a missing, wrong or revoked token is a 401 with `WWW-Authenticate:
    # Token` (a client knows to sign in again), not a 403. A session's failed CSRF check
    # is still a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    # drf-spectacular's, plus every error response an operation answers (config.schema).
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    # DRF's JSON parser with a nesting limit: deep nesting is a RecursionError, a 500.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_THROTTLE_RATES": {"auth-token": env.get_str("MARQUEE_TOKEN_RATE", "10/min")},
    "NUM_PROXIES": MARQUEE_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Marquee API",
    "DESCRIPTION": "Catalogue, ratings, watching and lists of the current viewing profile.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content-Security-Policy (django-csp 4): no inline script, no eval. htmx runs with
# allowEval off (base.html), the Swagger UI loads its set-up as a file (config.urls),
# and the pages give colours, widths and posters by class, data attribute or SVG, so
# style attributes are refused as well.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: the site uses none of these; the player may go fullscreen.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# Celery. The default broker is kombu's filesystem transport so that a newcomer needs no
# server; set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 for a real deployment.
CELERY_BROKER_URL = env.get_broker_url("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    # One folder for in and out: producers write where the worker reads.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Without timeouts a publish waits as long as the OS lets it on a broker that does not
    # answer; requests publish once and carry on without it (config.enqueue).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_RESULT_BACKEND = env.get_str("CELERY_RESULT_BACKEND", "django-db")
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = timedelta(days=7)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.get_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

MARQUEE_MAX_PROFILES = 5
# Wrong passwords allowed per address before sign-in waits out the window (seconds).
MARQUEE_SIGN_IN_FAILURES = env.get_int("MARQUEE_SIGN_IN_FAILURES", 5, minimum=1)
MARQUEE_SIGN_IN_WINDOW = env.get_int("MARQUEE_SIGN_IN_WINDOW", 15 * 60, minimum=1)
# Wrong passwords from one client address (any e-mail addresses) in the same window: high
# enough for a household behind one router, low enough to stop spraying many accounts.
MARQUEE_SIGN_IN_CLIENT_FAILURES = env.get_int("MARQUEE_SIGN_IN_CLIENT_FAILURES", 20, minimum=1)
# Sign-ups per client address and per e-mail address within the window (seconds).
MARQUEE_SIGN_UP_PER_CLIENT = env.get_int("MARQUEE_SIGN_UP_PER_CLIENT", 10, minimum=1)
MARQUEE_SIGN_UP_PER_ADDRESS = env.get_int("MARQUEE_SIGN_UP_PER_ADDRESS", 5, minimum=1)
MARQUEE_SIGN_UP_WINDOW = env.get_int("MARQUEE_SIGN_UP_WINDOW", 60 * 60, minimum=1)
# Password-reset mails per e-mail address and per client address within the window.
MARQUEE_PASSWORD_RESET_PER_ADDRESS = env.get_int("MARQUEE_PASSWORD_RESET_PER_ADDRESS", 3, minimum=1)
MARQUEE_PASSWORD_RESET_PER_CLIENT = env.get_int("MARQUEE_PASSWORD_RESET_PER_CLIENT", 10, minimum=1)
MARQUEE_PASSWORD_RESET_WINDOW = env.get_int("MARQUEE_PASSWORD_RESET_WINDOW", 60 * 60, minimum=1)
# Wrong profile PINs per profile and per client address within the window (seconds).
MARQUEE_PIN_FAILURES = env.get_int("MARQUEE_PIN_FAILURES", 5, minimum=1)
MARQUEE_PIN_CLIENT_FAILURES = env.get_int("MARQUEE_PIN_CLIENT_FAILURES", 20, minimum=1)
MARQUEE_PIN_WINDOW = env.get_int("MARQUEE_PIN_WINDOW", 15 * 60, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"redact": {"()": "config.log_redact.RedactWebhookTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's request lines, through the console handler and its filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
MARQUEE_SERVE_MEDIA = env.get_bool("MARQUEE_SERVE_MEDIA", True)
# The folder the household's video files are in (read only): curators name files in it
# for Marquee's player. Empty: no files, streams only.
MARQUEE_VIDEO_ROOT = env.get_str("MARQUEE_VIDEO_ROOT", "")
# Seals media servers' API keys (config.secret_box); empty: derived from SECRET_KEY.
MARQUEE_SECRETS_KEY = env.get_str("MARQUEE_SECRETS_KEY", "")
# A media server's library sync: how long one request may take, and how often beat runs it.
MARQUEE_MEDIA_SERVER_TIMEOUT = env.get_int("MARQUEE_MEDIA_SERVER_TIMEOUT", 20, minimum=1)

# Watching: a title counts as finished past this share of its runtime, and as abandoned
# when stopped below MARQUEE_ABANDONED_BELOW and not resumed for MARQUEE_ABANDONED_AFTER_DAYS.
MARQUEE_COMPLETED_AT = 0.9
MARQUEE_ABANDONED_BELOW = 0.25
MARQUEE_ABANDONED_AFTER_DAYS = 14
# Used for percent and completion when a curator left a film's runtime empty.
MARQUEE_DEFAULT_RUNTIME_MINUTES = 100

# Retrain once this many new signals (ratings, viewings, list changes) arrived since the
# active model was trained; checked every 15 minutes by beat.
MARQUEE_RETRAIN_AFTER_SIGNALS = env.get_int("MARQUEE_RETRAIN_AFTER_SIGNALS", 500, minimum=1)
# A training holds its lock as a lease, renewed from a thread every fifth of this: a worker
# killed mid-training releases it this many seconds later, and the next training runs.
MARQUEE_TRAINING_LEASE_SECONDS = env.get_int("MARQUEE_TRAINING_LEASE_SECONDS", 180, minimum=1)
