"""Hromada settings.

Every deployment choice is an environment variable with a safe default; README.md lists
them all. A secret may also be given as a file (``SECRET_KEY_FILE``) so that it never
has to sit in the process environment.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by ``<NAME>_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


VAR_DIR = Path(env("HROMADA_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/ (never committed)."""
    key = env("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Behind a TLS-terminating proxy: secure cookies, HSTS, and trust its X-Forwarded-Proto.
HTTPS = env_bool("HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hromada.core",
    "hromada.aid",
    "hromada.volunteers",
    "hromada.reports",
    "hromada.alerts",
    "hromada.tracing",
    "hromada.funds",
    "hromada.bot",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "hromada.core.middleware.content_security_policy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hromada.core.middleware.user_preferences",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Their sessions end after PRIVILEGED_SESSION_IDLE_SECONDS without a request ...
    "hromada.core.middleware.end_idle_privileged_sessions",
    # ... and coordinators, caseworkers, approvers and admins give a code from their authenticator.
    "hromada.core.middleware.require_second_factor",
    "hromada.core.middleware.keep_messages_from_warm_fetches",
    # A page POST replayed from the offline queue (same Idempotency-Key) runs once.
    "hromada.core.offline.replay_once",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "hromada.urls"
WSGI_APPLICATION = "hromada.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hromada.core.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hromada.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not memory, so that threads in a test meet the same locking as
    # processes in production; one file per test process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the lock when it begins, so two writers
        # queue on the busy timeout instead of failing with "database is locked" mid-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
# Sign-in throttling (core.signin): failures per account name and per address in a window.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
PASSWORD_RESETS_PER_HOUR = env_int("PASSWORD_RESETS_PER_HOUR", 3)
LOGIN_REDIRECT_URL = "aid:needs-board"
# The reverse proxies in front of us (nginx's address as granian sees it): behind one, the
# client is the right-most X-Forwarded-For address that is not a proxy (core.services.client_ip),
# so sign-in lock-outs and form limits count each visitor, not the whole town as one.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# Two-factor sign-in (core.two_factor): the name authenticator apps show; each wrong code
# doubles the wait before the next one (1 s, 2 s, 4 s ...).
OTP_TOTP_ISSUER = "Hromada"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGOUT_REDIRECT_URL = "aid:needs-board"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time. Ukrainian first; the user's own choice wins over the browser's.
LANGUAGE_CODE = env("LANGUAGE_CODE", "uk")
LANGUAGES = [("uk", "Українська"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "hromada_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("TIME_ZONE", "Europe/Kyiv")
USE_I18N = True
USE_TZ = True

# Static files: WhiteNoise serves them compressed, with hashed names, from STATIC_ROOT.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# Cache: Redis when REDIS_URL is set (several web processes); otherwise files under var/,
# which every process on the one machine shares.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Background work: rows in the database, run by `hromada worker`.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Cookies: only session, CSRF and language. Messages live in the session, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_NAME = "hromada_session"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
# The roles that must give a second factor (they see shelters' addresses and missing people)
# are signed out after this long without a request: a lost, unlocked phone stops being them.
PRIVILEGED_SESSION_IDLE_SECONDS = env_int("PRIVILEGED_SESSION_IDLE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "hromada_csrftoken"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "hromada.core.views.csrf_failure"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# HSTS preloading binds the whole domain for months: the operator opts in, we do not nag.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Leaflet tiles are the one outside address a page may load, and only when configured;
# without TILE_URL a map shows its points and areas on a plain background.
TILE_URL = env("TILE_URL", "")
TILE_ATTRIBUTION = env("TILE_ATTRIBUTION", "")


# Request size: a note is at most a few KB; refuse megabytes before they reach a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

ADMINS = [("Admin", a) for a in env_list("ADMIN_EMAILS")]
SERVER_EMAIL = DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "hromada@localhost")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Alerts: the CAP sender, where links in messages point, the Telegram Bot API.
ALERTS_SENDER = env("ALERTS_SENDER", "hromada@localhost")
ALERTS_SITE_URL = env("ALERTS_SITE_URL", "http://127.0.0.1:8000")
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN")
TELEGRAM_API_URL = env("TELEGRAM_API_URL", "https://api.telegram.org")
ALERTS_TELEGRAM_CHANNEL = env("ALERTS_TELEGRAM_CHANNEL")
# The bot (`hromada bot`; without a token it says so and exits). The webhook checks the secret
# Telegram sends in X-Telegram-Bot-Api-Secret-Token (setWebhook's secret_token).
TELEGRAM_WEBHOOK_SECRET = env("TELEGRAM_WEBHOOK_SECRET", "")
# The bot's @username without the @, for the t.me deep link on the link page (optional).
TELEGRAM_BOT_USERNAME = env("TELEGRAM_BOT_USERNAME", "")
ALERTS_HTTP_TIMEOUT = env_int("ALERTS_HTTP_TIMEOUT", 10)

# Reports: let the archiver fetch copies from private addresses (intranet deployments only).
REPORTS_ARCHIVE_ALLOW_PRIVATE = env_bool("REPORTS_ARCHIVE_ALLOW_PRIVATE", False)

# Tracing: searches one caseworker may run in a minute (a leaked account cannot dump the lists).
TRACING_SEARCHES_PER_MINUTE = env_int("TRACING_SEARCHES_PER_MINUTE", 30)

# Idempotency keys are kept this long; a replay after that creates anew.
IDEMPOTENCY_KEY_DAYS = env_int("IDEMPOTENCY_KEY_DAYS", 30)
# Granian: web processes for `hromada run`, and threads in each.
WEB_WORKERS = env_int("WEB_WORKERS", 2)
WEB_THREADS = env_int("WEB_THREADS", 4)
