"""Shequ settings.

The embedded default (no environment) runs on SQLite in ``var/`` with a secret
generated there on first use.  Production is configured from the environment:

``SHEQU_SECRET_KEY``      Django secret key (its presence switches DEBUG off)
``SHEQU_FIELD_KEY``       base64 of 32 bytes, key for encrypted fields
``DATABASE_URL``          e.g. ``postgres://user:pass@host:5432/shequ``
``SHEQU_ALLOWED_HOSTS``   comma-separated host names
``SHEQU_CSRF_TRUSTED_ORIGINS`` comma-separated origins (https://example.org)
``SHEQU_DEBUG``           force DEBUG on (1) or off (0)
``SHEQU_VAR_DIR``         where the embedded database, secrets, uploads live
``SHEQU_SECURE_SSL_REDIRECT`` 0 to disable the HTTPS redirect behind a proxy that handles it
``SHEQU_FILE_RETENTION_DAYS`` days stored files (import uploads, reports, exports) are kept (7)
``SHEQU_REDIS_URL``       e.g. ``redis://127.0.0.1:6379/0``: the shared cache (else files in the var dir)
``SHEQU_NOTIFICATION_CHANNELS`` comma-separated Channel classes delivering notifications (console in development)
``SHEQU_SITE_URL``        the site's address, for links in notifications sent by e-mail or SMS
``SHEQU_MAP_TILES``       the map's base layer (a tile URL template; Tianditu or self-hosted), and
``SHEQU_MAP_ATTRIBUTION`` its attribution
``SHEQU_JOB_HEARTBEAT_SECONDS`` how often a running background job says it is alive (15; 0: never)
``SHEQU_JOB_STALE_SECONDS`` a job run on another host without a sign of life for this long is interrupted (120)
``SHEQU_IMPORT_CHUNK_ROWS`` rows a large import checks and writes at a time (importers' own: 2,000; residents 5,000)
``SHEQU_IMPORT_COMMIT_ROWS`` rows a valid-rows import commits at a time, at a chunk's end (SQLite 20,000;
    PostgreSQL and 0: every chunk)
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SHEQU_VAR_DIR", REPO_DIR / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _local_secret(filename: str, make) -> str:  # type: ignore[no-untyped-def]
    """Read a secret kept in VAR_DIR, creating it (mode 600) on first use."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
    for _attempt in range(50):
        value = path.read_text().strip()
        if value:
            return value
        import time

        time.sleep(0.05)
    raise RuntimeError(f"{path} is empty")


PRODUCTION = "SHEQU_SECRET_KEY" in os.environ
SECRET_KEY = os.environ.get("SHEQU_SECRET_KEY") or _local_secret("secret_key", lambda: secrets.token_urlsafe(50))
FIELD_ENCRYPTION_KEY = os.environ.get("SHEQU_FIELD_KEY") or _local_secret(
    "field_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
)
DEBUG = _env_bool("SHEQU_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = _env_list("SHEQU_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = _env_list("SHEQU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "ninja",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "auditlog",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "shequ.core",
    "shequ.accounts",
    "shequ.territory",
    "shequ.people",
    "shequ.orgs",
    "shequ.party",
    "shequ.services",
    "shequ.volunteers",
    "shequ.visits",
    "shequ.mediation",
    "shequ.cadres",
    "shequ.governance",
    "shequ.oversight",
    "shequ.positions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shequ.core.middleware.SessionRenewalMiddleware",
    "shequ.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "shequ.core.middleware.AuditMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shequ.urls"
WSGI_APPLICATION = "shequ.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequ.core.context_processors.shequ",
            ],
        },
    },
]

FORM_RENDERER = "shequ.core.renderers.FormRenderer"
# An empty choice in a filter form: every value, not "nothing chosen".
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'shequ.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # 64 MiB of page cache per connection: the indexes of a million residents stay in memory.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, the session user remembered by the process (accounts.authcache)
    "shequ.accounts.backends.CachedModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: eight working hours, renewed while active (every few minutes, not on every request:
# shequ.core.middleware.SessionRenewalMiddleware), gone with the browser.
SESSION_COOKIE_AGE = 8 * 3600
# Sessions are read from the shared cache (files under the var dir, or Redis), the database behind it: the session
# query was a tenth of a list page.  Written to both, deleted from both (logout, flush).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SHEQU_SESSION_RENEW_SECONDS = 300
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A bearer token's user and a user's grants are remembered by each process (shequ.accounts.authcache): a change
# through the ORM takes effect at once everywhere; one the signals do not see (raw SQL) within this many seconds.
SHEQU_AUTH_CACHE_SECONDS = float(os.environ.get("SHEQU_AUTH_CACHE_SECONDS", 30))
# Lists' counts are remembered by each process outside transactions (shequ.core.counts): any write through Django
# forgets them at once everywhere; one that bypasses Django (COPY, another program) within this many seconds.
SHEQU_COUNT_CACHE_SECONDS = float(os.environ.get("SHEQU_COUNT_CACHE_SECONDS", 30))
# On PostgreSQL a list's page statement is prepared once per connection (core.prepared.server_statement).  Turn it
# off (0) behind a pool that shares server sessions at each transaction (pgbouncer's transaction mode).
SHEQU_PG_PREPARE = os.environ.get("SHEQU_PG_PREPARE", "1") not in ("0", "false", "False", "")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION and not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SHEQU_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SHEQU_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The map's base layer: a tile URL template such as the official Tianditu service
# (https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default
# &TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY) or a self-hosted one. Empty: the
# maps draw the places on a plain background and load nothing from elsewhere.
SHEQU_MAP_TILES = os.environ.get("SHEQU_MAP_TILES", "")
SHEQU_MAP_ATTRIBUTION = os.environ.get("SHEQU_MAP_ATTRIBUTION", "")


def _tile_origins(template: str) -> list[str]:
    """The origins the map's tiles come from (``{s}`` stands for any subdomain)."""
    from urllib.parse import urlsplit

    if not template:
        return []
    parts = urlsplit(template.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("http", "https") and parts.netloc else []


# Content-Security-Policy: nothing but our own origin (and the map's tile server, when configured); no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origins(SHEQU_MAP_TILES)],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# django-axes: lock a username (from any address) after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("SHEQU_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]

AUDITLOG_LOGENTRY_MODEL = "core.AuditEntry"
# auditlog's own migrations would create its (swapped-out) LogEntry table anyway, with a
# foreign key to users that PostgreSQL's TRUNCATE trips over; our AuditEntry replaces it.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks for it at start-up
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "shequ.core.staticstorage.ManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploads (imports, attachments) live outside the web root and are never served directly.
MEDIA_ROOT = VAR_DIR / "files"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
SHEQU_MAX_UPLOAD_BYTES = int(os.environ.get("SHEQU_MAX_UPLOAD_BYTES", 200 * 1024 * 1024))
# A list longer than this is exported by the background worker (a job page with progress and the download).
SHEQU_EXPORT_SYNC_ROWS = int(os.environ.get("SHEQU_EXPORT_SYNC_ROWS", 10_000))
# Stored files (uploads for import, rejected-rows reports, exports; all encrypted) are deleted after this
# many days by `shequ purge_files` and by the worker after its jobs.
SHEQU_FILE_RETENTION_DAYS = int(os.environ.get("SHEQU_FILE_RETENTION_DAYS", 7))


def shared_cache(redis_url: str, var_dir: Path) -> dict[str, Any]:
    """The cache every worker process shares: it holds the public portal's rate-limit counters, which an
    in-process cache would split between gunicorn's workers (each would allow the whole limit).

    With a Redis URL: Redis (atomic counters, shared between machines too).  Without: files under the
    var dir, shared by the processes of one machine and needing no service at all (``make run`` on a
    fresh machine); their counters are read and written, not incremented atomically, so a burst across
    workers may slip a few attempts past a limit."""
    if redis_url:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "shequ",
        }
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(var_dir / "cache"),
        # Culling (a third of the entries, past the maximum) forgets counters: keep it rare.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }


CACHES = {"default": shared_cache(os.environ.get("SHEQU_REDIS_URL", ""), VAR_DIR)}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("SHEQU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Background jobs: a running job writes a heartbeat this often (seconds; 0: none) and is taken for interrupted
# when its process is gone from this host, or, running on another host, when its heartbeat is older than
# SHEQU_JOB_STALE_SECONDS (``core.jobs``).
SHEQU_JOB_HEARTBEAT_SECONDS = float(os.environ.get("SHEQU_JOB_HEARTBEAT_SECONDS", 15))
SHEQU_JOB_STALE_SECONDS = float(os.environ.get("SHEQU_JOB_STALE_SECONDS", 120))
# Rows a large import reads, checks and writes at a time (default: the importer's own, 2,000).
SHEQU_IMPORT_CHUNK_ROWS = int(os.environ.get("SHEQU_IMPORT_CHUNK_ROWS", 0)) or None
# Rows a valid-rows import commits at a time, at a chunk's end (default ``Importer.rows_per_commit``'s; 0: each chunk).
_commit_rows = os.environ.get("SHEQU_IMPORT_COMMIT_ROWS", "")
SHEQU_IMPORT_COMMIT_ROWS = int(_commit_rows) if _commit_rows.strip().isdigit() else None

DJANGO_TABLES2_TEMPLATE = "core/_table.html"

# Lists never count more than this many rows exactly; beyond it they show "10,000+".
SHEQU_COUNT_CAP = 10_000
SHEQU_PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "shequ.core.logging.MaskPersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_pii"], "formatter": "plain"},
        # The access log of `shequ serve` / runserver (request lines with their query strings): masked too.
        "django.server": {"class": "logging.StreamHandler", "filters": ["mask_pii"], "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SHEQU_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default handlers (unmasked) are replaced: its records go to the masked root handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

SHEQU_SITE_NAME = _("Shequ community platform")
# Where links in notifications sent outside the site (e-mail, SMS) point: e.g. https://shequ.example.gov.cn
SHEQU_SITE_URL = os.environ.get("SHEQU_SITE_URL", "")
# Delivery of notifications beyond the in-app centre (``core.notifications``): dotted paths of Channel classes,
# e.g. shequ.core.notifications.EmailChannel, or a subclass of SmsChannel for the SMS gateway in use.
SHEQU_NOTIFICATION_CHANNELS = _env_list(
    "SHEQU_NOTIFICATION_CHANNELS", ["shequ.core.notifications.ConsoleChannel"] if DEBUG else []
)

# Under pytest: tasks run at once, fast password hashes, uploads in a temporary folder.
TESTING = "PYTEST_VERSION" in os.environ
if TESTING:
    import atexit
    import shutil
    import tempfile

    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    SHEQU_NOTIFICATION_CHANNELS = []
    SHEQU_JOB_HEARTBEAT_SECONDS = 0  # no thread of its own inside a test's transaction
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="shequ-test-files-"))
    atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)  # each test process removes its own
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
