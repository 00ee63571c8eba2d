"""govhall settings: one module, driven by environment variables.

Every variable is documented in README.md. Helpers fail loudly on a bad value rather than
silently falling back, because a misconfigured government system is worse than one that
refuses to start.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
# Under pytest the test settings apply even when GOVHALL_TESTING was not exported, because
# pytest-django reads this module before the root conftest.py runs.
TESTING = env_bool("GOVHALL_TESTING", False) or "pytest" in sys.modules
DATA_DIR = Path(env_str("GOVHALL_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in DATA_DIR/secret_key
    (created on first start), so a single-server install never runs on a known key."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The public base URL is printed on documents and SMS links (QR codes must point somewhere
# a citizen's phone can reach).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "govhall.core",
    "govhall.org",
    "govhall.documents",
    "govhall.notifications",
    "govhall.catalog",
    "govhall.queueing",
    "govhall.appointments",
    "govhall.consultations",
    "govhall.cases",
    "govhall.evaluations",
    "govhall.assistance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govhall.core.edge.EdgeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govhall.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "govhall.urls"
WSGI_APPLICATION = "govhall.wsgi.application"

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
                "govhall.core.context_processors.site",
            ],
            "builtins": ["govhall.core.templatetags.govhall"],
        },
    },
]

# Database: SQLite (WAL) by default; PostgreSQL through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'govhall.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections persist (60 s, as on PostgreSQL): opening one costs more than most
    # requests' queries (bench/queue_load.py, SQLite: issue 605 → 883 req/s, the bare
    # one-row insert 1,219 → 2,547 req/s when this was switched on).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN
        # so two writers queue on busy_timeout instead of failing with "database is locked"
        # on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # Requests do not copy the write-ahead log back into the database (SQLite's
        # default: the commit that passes 1,000 pages does it, with an fsync, inside that
        # request): the worker's core.sqlite_checkpoint job does it every second. The
        # limit below only applies while no worker runs (bench/queue_load.py, SQLite:
        # commit 0.22 → 0.08 ms, issue 1.05 → 0.91 ms per request in-process).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            f"PRAGMA wal_autocheckpoint={env_int('SQLITE_WAL_AUTOCHECKPOINT_PAGES', 20000)};"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["govhall.org.auth.LockoutModelBackend"]
LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/staff/login/"
# Wrong passwords per account without delay, then a delay doubling per failure (org/auth.py).
LOGIN_FREE_FAILURES = env_int("LOGIN_FREE_FAILURES", 3)
LOGIN_DELAY_SECONDS = env_int("LOGIN_DELAY_SECONDS", 5)
LOGIN_DELAY_MAX_SECONDS = env_int("LOGIN_DELAY_MAX_SECONDS", 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "govhall.core.passwords.CharacterClassValidator"},
]

if TESTING:
    # Hashing test passwords with the production hasher costs seconds per demo load.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Idle staff sessions end after SESSION_IDLE_MINUTES: the cookie age is renewed on every
# request, so it measures inactivity, not session length.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
# Blank forms and samples a center publishes (catalog/uploads.py).
CATALOG_UPLOAD_MAX_BYTES = env_int("CATALOG_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

# Security headers; `manage.py check --deploy` is clean with DEBUG off.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Tests talk plain HTTP to the live server, so HTTPS-only behaviour is off there.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Government-hall specifics.
GOVHALL_CENTER_CODE = env_str("GOVHALL_CENTER_CODE", "")
# A document link sent by SMS stays valid this many days.
DOCUMENT_LINK_DAYS = env_int("DOCUMENT_LINK_DAYS", 90)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
PDF_FONT_PATH = env_str("PDF_FONT_PATH", "")
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 120)

# Notifications (issue: notifications). console prints; database keeps; aliyun/tencent send.
SMS_BACKEND = env_str("SMS_BACKEND", "database" if TESTING else "console")
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "")
SMS_QUIET_START = env_str("SMS_QUIET_START", "21:00")
SMS_QUIET_END = env_str("SMS_QUIET_END", "08:00")
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 8)
SMS_PER_PHONE_PER_HOUR = env_int("SMS_PER_PHONE_PER_HOUR", 10)
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
TENCENT_SMS_SECRET_ID = env_str("TENCENT_SMS_SECRET_ID", "")
TENCENT_SMS_SECRET_KEY = env_str("TENCENT_SMS_SECRET_KEY", "")
TENCENT_SMS_SDK_APP_ID = env_str("TENCENT_SMS_SDK_APP_ID", "")
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
# Delivery-receipt callbacks are refused unless they carry this shared token.
SMS_RECEIPT_TOKEN = env_str("SMS_RECEIPT_TOKEN", "")
SMS_LEASE_SECONDS = env_int("SMS_LEASE_SECONDS", 300)
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)
# A lost answer is checked with the provider, not resent blindly (docs/notifications.md).
SMS_CHECK_DELAY_SECONDS = env_int("SMS_CHECK_DELAY_SECONDS", 30)
SMS_CHECK_WINDOW_SECONDS = env_int("SMS_CHECK_WINDOW_SECONDS", 600)
SMS_CENTER_HOURLY_BUDGET = env_int("SMS_CENTER_HOURLY_BUDGET", 1000)

NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

# Rate limits of the anonymous channels (core/ratelimit.py): per client address and per
# center, "count/seconds"; RATE_LIMIT_<CHANNEL>="10/60 300/60" overrides one, "-" for none.
# Off under tests unless a test turns it on (their clients share one address).
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", not TESTING)
_RATE_LIMIT_DEFAULTS = {
    "ticket": "10/60 300/60",  # anonymous ticket issuing: mobile page, public API, kiosk page
    "booking": "5/600 300/600",  # online booking submissions
    "sms_code": "5/600 200/600",  # verification codes sent
    "cancel": "10/600 200/600",  # cancel / reschedule attempts
    "checkin": "10/60 -",  # check-in by code or ID number without a device or staff session
    "lookup": "300/60 -",  # confirmation, check-in and ticket status pages and lookups
    "consult": "3/600 200/600",  # online consultations submitted from the portal
}


def _rate_pair(text: str) -> tuple[str | None, str | None]:
    client, _, center = text.strip().partition(" ")
    return (None if client in {"", "-"} else client), (
        None if center.strip() in {"", "-"} else center.strip()
    )


RATE_LIMITS = {
    channel: _rate_pair(env_str(f"RATE_LIMIT_{channel.upper()}", default))
    for channel, default in _RATE_LIMIT_DEFAULTS.items()
}
# Reverse proxies in front of the app servers that append the client to X-Forwarded-For
# (0: clients connect directly, REMOTE_ADDR is theirs).
FORWARDED_PROXY_COUNT = env_int("FORWARDED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "forbidden_no_traceback": {"()": "govhall.core.logfilters.ForbiddenWithoutTraceback"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["forbidden_no_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}
