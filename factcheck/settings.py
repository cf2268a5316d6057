"""Settings for factcheck, read from environment variables (every one is listed in .env.example).

With no variables set the app runs locally: DEBUG on, SQLite in var/, and an embedded Celery broker
(kombu's filesystem transport in var/broker/) that a real worker process consumes. Set
DATABASE_URL and REDIS_URL to run on PostgreSQL and Redis.
"""

import importlib.util
import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from factcheck import broker
from factcheck.lib.http import parse_origins

# Lets runtime code write the generic types mypy checks (forms.ModelForm[Evidence]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FACTCHECK_VAR_DIR") or BASE_DIR / "var")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    """Return a string variable, or the default when unset or empty (as in .env.example)."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable; anything but a clear yes or no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    """Return an integer variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from error


def env_float(name: str, default: float) -> float:
    """Return a decimal variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from error


def env_list(name: str, default: str = "") -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name) or default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=false) refuses to start "
            "without a real secret key: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a real key of at least 50 characters.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Admin CSV/XLSX export and import (formulas neutralised, import through our services).
    "import_export",
    "django_htmx",
    "axes",
    "csp",
    "claims",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (as Django documents): cookie, then Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's stored language wins over the cookie and the browser.
    "claims.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sets CONTENT_SECURITY_POLICY on every response that has no policy of its own (the archived
    # source view sends its own `sandbox`, which the middleware leaves alone).
    "csp.middleware.CSPMiddleware",
    # Records the logged-in user on history rows written by save() inside a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # request.htmx: views answer an htmx request with the one panel it swaps.
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# Celery workers keep each pool process's connection between tasks, health-checked before
# each task, for this many seconds (factcheck/celery.py); web requests keep Django's default.
FACTCHECK_WORKER_CONN_MAX_AGE = env_int("FACTCHECK_WORKER_CONN_MAX_AGE", 300)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write to the same file: WAL lets readers go on during a
    # write, IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out username and address before any password is checked.
# It needs the request, so tests log in with `client.force_login(user)`, not `client.login()`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:dashboard"
LOGOUT_REDIRECT_URL = "login"

# English is the default; Spanish is chosen per user (claims.UserPreference, applied by
# claims.middleware.UserLanguageMiddleware) or, without a preference or cookie, by the browser's
# Accept-Language (LocaleMiddleware). The .mo files are built at set-up, never committed.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "factcheck_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Django 6 makes https the default scheme of URL form fields; opt in now.
FORMS_URLFIELD_ASSUME_HTTPS = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "staticfiles")))
# Archived page bodies (reviews.Snapshot) are kept in the default storage: a local folder
# unless FACTCHECK_STORAGE_BACKEND names another Django storage class (S3 and the like).
MEDIA_ROOT = Path(env_str("FACTCHECK_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {
        "BACKEND": env_str(
            "FACTCHECK_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# An article's text (normalised, UTF-8) may be this large; longer text is refused with a message.
FACTCHECK_MAX_ARTICLE_BYTES = env_int("FACTCHECK_MAX_ARTICLE_BYTES", 2 * 1024 * 1024)
# Uploaded and command-imported files (Word and PDF files are larger than their text): the file
# size, PDF pages, and what a Word file or a PDF may unpack to (a zip or PDF bomb is refused).
FACTCHECK_MAX_UPLOAD_BYTES = env_int("FACTCHECK_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
FACTCHECK_MAX_UPLOAD_PAGES = env_int("FACTCHECK_MAX_UPLOAD_PAGES", 300)
FACTCHECK_MAX_UNPACKED_BYTES = env_int("FACTCHECK_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
# Form posts may be larger than an article so that an oversized paste reaches the form and gets
# a clear message; past this, Django refuses the request (templates/400.html says why).
DATA_UPLOAD_MAX_MEMORY_SIZE = max(16 * 1024 * 1024, 4 * FACTCHECK_MAX_ARTICLE_BYTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(DATA_UPLOAD_MAX_MEMORY_SIZE, 2 * FACTCHECK_MAX_UPLOAD_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = FACTCHECK_MAX_UPLOAD_BYTES + 512 * 1024

# --- History -------------------------------------------------------------------------------
# History is a record, not an undo button: reverting from the admin would set a claim's status
# without the lifecycle service.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Security (production) -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Every page may load scripts, styles, images and fonts from our own origin only: no inline
# script or style, no plugin, no framing, forms post only to us. The Django 5.2 admin works
# under it (it has no inline scripts); templates must keep CSS and JS in static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Login throttling (django-axes, database handler: works on SQLite) ----------------------
# Failures count per username *and* client address: past the limit that pair is refused, even
# with the right password, until the cool-off has passed; the same user from another address
# and other users from this one are unaffected, so an attacker elsewhere cannot lock a colleague
# out.
AXES_FAILURE_LIMIT = env_int("FACTCHECK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("FACTCHECK_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A successful login clears the count: three typos a day never add up to a lockout.
AXES_RESET_ON_SUCCESS = True
# Each attempt while locked out starts the cool-off again (the lockout page says so).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= timedelta(0):
    raise ImproperlyConfigured(
        "FACTCHECK_LOGIN_FAILURE_LIMIT and FACTCHECK_LOGIN_COOLOFF_MINUTES must be at least 1."
    )
# The client address. Without a proxy it is REMOTE_ADDR, which a client cannot forge. Behind
# reverse proxies REMOTE_ADDR is the proxy, so everyone would share one address: set
# FACTCHECK_PROXY_COUNT to the number of proxies in front of the app, each of which appends the
# address it received the request from to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for).
# The client is then the entry that many places from the right; anything to its left was sent
# by the client and is ignored. This is django-ipware's AXES_IPWARE_META_PRECEDENCE_ORDER (only
# X-Forwarded-For) with AXES_IPWARE_PROXY_COUNT = the proxies listed after the client (one less
# than FACTCHECK_PROXY_COUNT), non-strict so that a forged prefix cannot void the chain.
FACTCHECK_PROXY_COUNT = env_int("FACTCHECK_PROXY_COUNT", 0)
if FACTCHECK_PROXY_COUNT < 0:
    raise ImproperlyConfigured("FACTCHECK_PROXY_COUNT must be 0 (no proxy) or more.")
if FACTCHECK_PROXY_COUNT:
    if importlib.util.find_spec("ipware") is None:
        # Without django-ipware axes silently falls back to REMOTE_ADDR (the proxy).
        raise ImproperlyConfigured("FACTCHECK_PROXY_COUNT needs django-ipware installed.")
    AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = ("HTTP_X_FORWARDED_FOR",)
    AXES_IPWARE_PROXY_COUNT: int | None = FACTCHECK_PROXY_COUNT - 1
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The CMS sends `Authorization: Api-Key <key>`; staff use their session in the browsable API.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reviews.api_auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["reviews.api_auth.CanRead"],
    "DEFAULT_THROTTLE_CLASSES": ["reviews.api_auth.PerKeyThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "reviews.api_auth.StaffBrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["reviews.filters.FilterBackend"],
    # Every error is JSON of one shape (reviews/api_errors.py).
    "EXCEPTION_HANDLER": "reviews.api_errors.exception_handler",
    # Cursor pages of at most 100, limit and cursor validated: no query number reaches SQL
    # unchecked.
    "DEFAULT_PAGINATION_CLASS": "reviews.pagination.VerdictCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "factcheck CMS API",
    "DESCRIPTION": (
        "Published verdicts for the newsroom CMS: JSON, an incremental change feed, schema.org "
        "ClaimReview and evidence packs; article push for read-write keys. Send "
        "`Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# The API throttle counts requests per key in the cache: shared through Redis when there is one,
# per process otherwise (the embedded default runs one web process).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# djangorestframework-api-key reads the key from this header: `Authorization: Api-Key <key>`.
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Must exceed the hard time limit plus the longest retry countdown, or a slow task is
        # handed to a second worker while the first still runs (RELIABILITY.md).
        "visibility_timeout": 600,
        # Without these a Redis that accepts connections but never answers blocks publishing.
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
    }
else:
    # Embedded default: a real broker on the file system, so background work stays background
    # with no service to install.
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **broker.folder_options(BROKER_DIR),
        # Idle polling (kombu's default, once a second, idles a worker up to a second before
        # the first message); listing a local folder 50 times a second is cheap. While busy
        # the transport polls faster (factcheck/broker.py).
        "polling_interval": env_float("FACTCHECK_BROKER_POLL_SECONDS", 0.02),
    }
    if CELERY_BROKER_URL.startswith("filesystem"):
        # kombu's transport with a polling loop that is quick while busy and lets a stopping
        # worker notice within a fraction of a second (factcheck/broker.py).
        CELERY_BROKER_TRANSPORT = "factcheck.broker:Transport"
        # The embedded broker must work on a fresh clone.
        broker.create_folders(BROKER_DIR)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Fetching tasks go to their own queue (factcheck/celery.py), so slow sources never delay
# webhooks and sweeps.
CELERY_TASK_ROUTES = ("factcheck.celery.route_task",)
# Celery's Django fix-up closes every database connection around every task unless this lets
# it keep them for this many tasks; between those, connections follow
# FACTCHECK_WORKER_CONN_MAX_AGE (factcheck/celery.py).
CELERY_DB_REUSE_MAX = env_int("FACTCHECK_WORKER_DB_REUSE_TASKS", 1000)
# Cold shutdown (SIGQUIT, or SIGTERM with REMAP_SIGTERM=SIGQUIT as `make run` and compose set):
# running tasks get this long to finish before the worker stops them and puts their messages
# back (a stopped fetch is taken over by its redelivery or the sweeper: the lease makes it safe).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env_float("FACTCHECK_WORKER_SHUTDOWN_SECONDS", 3.0)
# An idle worker stops at once: messages it holds for a later retry (ETA) go back to the broker
# with the connection, and the database is the source of truth for every fetch anyway.
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # The database is the source of truth: sources whose message was lost (broker down at
    # commit, worker killed too often) are picked up again.
    "sweep-stale-sources": {
        "task": "reviews.tasks.sources_sweep",
        "schedule": 60.0,
    },
    # Link rot: re-check the live pages of sources that published verdicts cite.
    "recheck-published-sources": {
        "task": "reviews.tasks.sources_recheck_due",
        "schedule": env_float("FACTCHECK_LINK_CHECK_EVERY_SECONDS", 3600.0),
    },
    # Webhook deliveries whose retry time has come (the schedule is in the database rows).
    "send-due-webhooks": {
        "task": "reviews.tasks.webhooks_send_due",
        "schedule": 30.0,
    },
    # URL imports whose message was lost or whose worker died (the job rows are the truth).
    "sweep-stale-article-imports": {
        "task": "claims.tasks.article_imports_sweep",
        "schedule": 60.0,
    },
}

# --- Product settings -----------------------------------------------------------------------
# Sentences whose calibrated check-worthiness is at least this (0..1) become candidate claims;
# 0.55 (chosen on the ClaimBuster dev split by `make train`): about one news sentence in three.
FACTCHECK_CANDIDATE_THRESHOLD = env_float("FACTCHECK_CANDIDATE_THRESHOLD", 0.55)
# Stage 2 (claims/reranking.py): the worker refines candidate scores with a sentence encoder when
# requirements-stage2.txt is installed (`make stage2`); false turns it off even then. The page
# polls for refined scores this long after a revision before it settles for stage 1's.
FACTCHECK_STAGE2_ENABLED = env_bool("FACTCHECK_STAGE2_ENABLED", True)
FACTCHECK_STAGE2_WAIT_SECONDS = env_int("FACTCHECK_STAGE2_WAIT_SECONDS", 300)
# Approval gate: a verdict is approved only when its claim has at least this many evidence items
# whose source is archived (0 turns the gate off).
FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = env_int("FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE", 1)
# How many fetch attempts a source gets before it is marked failed for good.
FACTCHECK_FETCH_MAX_ATTEMPTS = env_int("FACTCHECK_FETCH_MAX_ATTEMPTS", 3)
# Networks the fetcher may reach even though they are private or loopback (tests only).
FACTCHECK_FETCH_ALLOWED_NETWORKS = env_list("FACTCHECK_FETCH_ALLOWED_NETWORKS")
# Single address:port pairs it may reach although they are not public: `make run` sets its demo
# source server here ("127.0.0.1:8001"), so the demo archives sources offline. Development only.
FACTCHECK_FETCH_ALLOWED_ORIGINS = env_list("FACTCHECK_FETCH_ALLOWED_ORIGINS")
FACTCHECK_FETCH_MAX_BYTES = env_int("FACTCHECK_FETCH_MAX_BYTES", 5 * 1024 * 1024)
FACTCHECK_FETCH_TIMEOUT = env_float("FACTCHECK_FETCH_TIMEOUT", 10.0)
FACTCHECK_FETCH_DEADLINE = env_float("FACTCHECK_FETCH_DEADLINE", 20.0)
# First retry delay of a transient fetch failure, in seconds: doubled each attempt, with jitter,
# at most an hour.
FACTCHECK_FETCH_RETRY_SECONDS = env_float("FACTCHECK_FETCH_RETRY_SECONDS", 30.0)
# Hard and soft time limits of a fetch task (seconds), and how long a claimed fetch is held
# before another run may take it over (longer than the hard limit: a live run is never robbed).
FACTCHECK_FETCH_TIME_LIMIT = env_int("FACTCHECK_FETCH_TIME_LIMIT", 60)
FACTCHECK_FETCH_SOFT_TIME_LIMIT = env_int(
    "FACTCHECK_FETCH_SOFT_TIME_LIMIT", max(1, FACTCHECK_FETCH_TIME_LIMIT - 15)
)
FACTCHECK_FETCH_LEASE_SECONDS = env_int(
    "FACTCHECK_FETCH_LEASE_SECONDS", FACTCHECK_FETCH_TIME_LIMIT + 15
)
if not (
    FACTCHECK_FETCH_DEADLINE
    < FACTCHECK_FETCH_SOFT_TIME_LIMIT
    < FACTCHECK_FETCH_TIME_LIMIT
    < FACTCHECK_FETCH_LEASE_SECONDS
):
    raise ImproperlyConfigured(
        "Fetch limits must grow: FACTCHECK_FETCH_DEADLINE < FACTCHECK_FETCH_SOFT_TIME_LIMIT < "
        "FACTCHECK_FETCH_TIME_LIMIT < FACTCHECK_FETCH_LEASE_SECONDS."
    )
# Link rot: days between re-checks of a source cited by a published verdict, and how many
# re-checks one beat run queues at most.
FACTCHECK_LINK_CHECK_DAYS = env_int("FACTCHECK_LINK_CHECK_DAYS", 7)
FACTCHECK_LINK_CHECK_BATCH = env_int("FACTCHECK_LINK_CHECK_BATCH", 500)
# Optional: ask a public web archive to save each archived source, through the same guarded
# fetcher; a URL pattern with {url}, e.g. https://web.archive.org/save/{url}. Empty: off.
FACTCHECK_ARCHIVE_SUBMIT_URL = env_str("FACTCHECK_ARCHIVE_SUBMIT_URL")
for _network in FACTCHECK_FETCH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"FACTCHECK_FETCH_ALLOWED_NETWORKS has an invalid network: {_network!r}"
        ) from _error
try:
    parse_origins(tuple(FACTCHECK_FETCH_ALLOWED_ORIGINS))
except ValueError as _error:
    raise ImproperlyConfigured(f"FACTCHECK_FETCH_ALLOWED_ORIGINS: {_error}") from _error
for _allowance, _use in (
    ("FACTCHECK_FETCH_ALLOWED_NETWORKS", "tests"),
    ("FACTCHECK_FETCH_ALLOWED_ORIGINS", "`make run`'s demo"),
):
    if not DEBUG and globals()[_allowance]:
        raise ImproperlyConfigured(
            f"{_allowance} lets the server fetch addresses that are not public; it is for {_use} "
            "only and production (DJANGO_DEBUG=false) refuses to start with it set."
        )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes logs every login and logout at INFO; lockouts come at WARNING.
    "loggers": {"axes": {"level": env_str("FACTCHECK_AXES_LOG_LEVEL", "WARNING")}},
}

# --- CMS export -----------------------------------------------------------------------------
# Requests each API key may make (DRF rate: N/s, N/min, N/hour); past it, 429 with Retry-After.
FACTCHECK_API_RATE = env_str("FACTCHECK_API_RATE", "1200/min")
# The public fact-check page of a verdict, for ClaimReview `url`: a pattern with {verdict_id},
# {claim_id}, {article_id} and {external_id}. Empty: the article's URL with #claim-<id>.
FACTCHECK_CLAIMREVIEW_URL_PATTERN = env_str("FACTCHECK_CLAIMREVIEW_URL_PATTERN")
# Webhooks: attempts before a delivery is given up, the first retry delay (doubled each time,
# with jitter, capped at an hour), and the per-request deadline in seconds.
FACTCHECK_WEBHOOK_MAX_ATTEMPTS = env_int("FACTCHECK_WEBHOOK_MAX_ATTEMPTS", 8)
FACTCHECK_WEBHOOK_RETRY_SECONDS = env_float("FACTCHECK_WEBHOOK_RETRY_SECONDS", 30.0)
FACTCHECK_WEBHOOK_TIMEOUT = env_float("FACTCHECK_WEBHOOK_TIMEOUT", 10.0)

# The organisation named as the author of published ClaimReviews.
FACTCHECK_ORGANISATION_NAME = env_str("FACTCHECK_ORGANISATION_NAME", "factcheck demo newsroom")
