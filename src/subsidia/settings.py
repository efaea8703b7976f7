"""Subsidia settings, read from the environment (twelve-factor).

Every value that differs between a developer's laptop and production comes from an
environment variable; the defaults are those of the embedded set-up (SQLite, local files,
SQLite task queue) that ``make run`` uses. See the README's "Configuration" section.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()
# A .env file beside the README, if any, is read for convenience; the real environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env("SUBSIDIA_VAR_DIR", default=str(BASE_DIR / "var")))
# The embedded database and task queue live here; a fresh checkout has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "huey.contrib.djhuey",
    "subsidia.core",
    "subsidia.accounts",
    "subsidia.audit",
    "subsidia.backup",
    "subsidia.organisations",
    "subsidia.notifications",
    "subsidia.grants",
    "subsidia.conventions",
    "subsidia.dialogue",
    "subsidia.events",
    "subsidia.knowledge",
    "subsidia.moderation",
    "subsidia.search",
    "subsidia.api",
    "subsidia.dashboard",
    "subsidia.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session and authentication middleware: a database outage answers 503 (core/availability.py).
    "subsidia.core.availability.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "subsidia.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "subsidia.accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "subsidia.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that its process_view runs after authentication and the CSRF check (core/ratelimit.py).
    "subsidia.core.ratelimit.RateLimitMiddleware",
]

# Benchmark instrumentation (core/bench.py: the query-count header and the bare view of `make bench`): off
# unless SUBSIDIA_BENCH=1, refused unless ALLOWED_HOSTS are loopback names, refused by `check --deploy`.
SUBSIDIA_BENCH = env.bool("SUBSIDIA_BENCH", default=False)
if SUBSIDIA_BENCH:
    MIDDLEWARE.insert(0, "subsidia.core.bench.QueryCountMiddleware")

ROOT_URLCONF = "subsidia.urls"
WSGI_APPLICATION = "subsidia.wsgi.application"

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
                "subsidia.accounts.context_processors.navigation",
                "subsidia.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite in var/ by default (WAL mode, immediate transactions so that writers queue instead of
# failing with "database is locked"); PostgreSQL in production through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'subsidia.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # A test database name of its own, so that the test run never touches a real database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
        "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL with two roles (subsidia/audit/dbroles.py, scripts/db-roles.sql): the schema's owner, for `migrate`,
# `backup` and `restore`, and DATABASE_URL's role for the application, which may only SELECT and INSERT in
# the audit trail. Same database as DATABASE_URL; empty: one role for everything.
MIGRATION_DATABASE = env.db("MIGRATION_DATABASE_URL") if env("MIGRATION_DATABASE_URL", default="") else None
if MIGRATION_DATABASE and MIGRATION_DATABASE["NAME"] != DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured("MIGRATION_DATABASE_URL must name the same database as DATABASE_URL.")

# --- Cache, background worker ---------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The rate limits' counters must be shared by every app server and process: Redis when there is one, otherwise
# the database's cache table (created by the core app's migration); a per-process memory cache would multiply
# each limit by the number of processes.
if REDIS_URL:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                           "KEY_PREFIX": "ratelimit"}
else:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "subsidia_cache",
                           "OPTIONS": {"MAX_ENTRIES": 100_000}}

HUEY_IMMEDIATE = env.bool("HUEY_IMMEDIATE", default=False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "subsidia",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env.int("WORKER_THREADS", default=2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "subsidia",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env.int("WORKER_THREADS", default=2), "worker_type": "thread"},
    }

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitation and reset links live three days
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)

# Failed sign-ins (wrong passwords, wrong second-factor codes, wrong re-authentications), counted on the
# normalised e-mail (subsidia.accounts.lockout): AXES_FAILURE_LIMIT failures of one account, from any
# addresses, lock that account; AXES_ADDRESS_FAILURE_LIMIT failures from one client address, over any
# accounts, lock that address; each for AXES_COOLOFF_MINUTES after the last failure.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "subsidia.accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "subsidia.accounts.lockout.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True  # of the account's failures only (LockoutHandler.reset_user_attempts)
AXES_USERNAME_FORM_FIELD = "username"  # the login form field (holding the e-mail)
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
# Password-reset requests per hour, from one client address and for one target e-mail (beyond: the address
# gets 429; the e-mail's requests still answer as usual but send nothing, so no account is revealed).
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=5)
PASSWORD_RESET_PER_EMAIL = env.int("PASSWORD_RESET_PER_EMAIL", default=3)

OTP_TOTP_ISSUER = env("OTP_ISSUER", default="Subsidia")
# Decisions, payments, signatures, member and role changes, token issuing and erasures need a proof of
# identity (password, or the second factor for staff) younger than this (subsidia.accounts.reauth).
REAUTH_MAX_AGE_MINUTES = env.int("REAUTH_MAX_AGE_MINUTES", default=10)
# Staff sessions end after this much idle time (partners keep SESSION_COOKIE_AGE).
STAFF_IDLE_TIMEOUT_MINUTES = env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=30)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("de", _("Deutsch")), ("en", _("English")), ("lb", _("Lëtzebuergesch"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["subsidia.formats"]  # adds Luxembourgish date and number formats
TIME_ZONE = env("TIME_ZONE", default="Europe/Luxembourg")
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be 'filesystem' or 's3'.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Uploads are checked by their content (core/uploads.py): an image may have this many pixels at most (it is
# decoded and re-encoded), an office document (a zip) this many members, this many bytes once uncompressed
# in all, and a member larger than 100 KiB may be at most this many times smaller compressed.
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=40_000_000)
UPLOAD_ARCHIVE_MAX_MEMBERS = env.int("UPLOAD_ARCHIVE_MAX_MEMBERS", default=2000)
UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_BYTES = env.int("UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
UPLOAD_ARCHIVE_MAX_RATIO = env.int("UPLOAD_ARCHIVE_MAX_RATIO", default=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The console backend prints messages (and their links) to the log: it writes only when DEBUG is on.
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    EMAIL_BACKEND = "subsidia.core.mail.ConsoleEmailBackend"
# Seconds the SMTP backend waits on the mail server: each e-mail job holds its claim (a row lock) while it
# talks to the server, so a server that hangs must not hold it for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Production must name its mail server and public https address: `check --deploy` fails otherwise
# (subsidia.E001-E003, subsidia/core/checks.py).
EMAIL_URL_IS_SET = bool(env("EMAIL_URL", default=""))
SITE_URL_IS_SET = bool(env("SITE_URL", default=""))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Subsidia <no-reply@subsidia.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Security -------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The probes (core/health.py) may come over plain HTTP from the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Seconds a client is told to wait (Retry-After) when the database is unreachable (503).
SERVICE_UNAVAILABLE_RETRY_AFTER = env.int("SERVICE_UNAVAILABLE_RETRY_AFTER", default=30)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler redacts tokens (reset and activation links, signed links, bearer tokens, session ids).
    "filters": {"redact_secrets": {"()": "subsidia.core.redaction.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own loggers (its request log, runserver's access log) and the worker's ("huey", which run_huey
    # gives a handler of its own when it has none) write through the same, redacting, handler.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Subsidia -------------------------------------------------------------------------------
# Days before a partner's document expires when the partner admins and officers are warned.
DOCUMENT_EXPIRY_WARNING_DAYS = env.int("DOCUMENT_EXPIRY_WARNING_DAYS", default=30)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-Subsidia-2026")
# Subsidy decisions above this amount (EUR) need a second approver (four-eyes rule).
FOUR_EYES_THRESHOLD = env.float("FOUR_EYES_THRESHOLD", default=25000.0)
# The final report of a subsidised project is due this many days after the project ends.
REPORT_DUE_DAYS = env.int("REPORT_DUE_DAYS", default=90)
# Reminders: report deadlines and payment dates this many days ahead; reviews pending this long.
REMINDER_DAYS_AHEAD = env.int("REMINDER_DAYS_AHEAD", default=14)
REVIEW_REMINDER_AFTER_DAYS = env.int("REVIEW_REMINDER_AFTER_DAYS", default=7)
# The issuing administration, named on decision letters.
MINISTRY_NAME = env("MINISTRY_NAME", default="Ministère de la Famille, des Solidarités, du Vivre ensemble et de "
                    "l'Accueil — Département de l'intégration")
# Conventions: the yearly activity report and financial statement are due on this day (MM-DD) of the
# next year; the balance of a year is due this many days later.
CONVENTION_REPORTS_DUE = env("CONVENTION_REPORTS_DUE", default="03-31")
CONVENTION_BALANCE_AFTER_DAYS = env.int("CONVENTION_BALANCE_AFTER_DAYS", default=60)
# Dialogue: how far ahead meetings are generated from a series' cadence (in TIME_ZONE's wall-clock time).
MEETING_HORIZON_DAYS = env.int("MEETING_HORIZON_DAYS", default=365)
# Comments: a comment reported by this many readers is hidden until a moderator decides; an account is trusted
# (post-moderation) once it is this many days old and has this many published comments.
COMMENT_REPORT_THRESHOLD = env.int("COMMENT_REPORT_THRESHOLD", default=3)
COMMENT_TRUST_AFTER_DAYS = env.int("COMMENT_TRUST_AFTER_DAYS", default=30)
COMMENT_TRUST_AFTER_PUBLISHED = env.int("COMMENT_TRUST_AFTER_PUBLISHED", default=3)
# Audit trail (subsidia/audit/heads.py): the worker exports the hash chain's head daily to this folder of the
# file storage (one file a day, never overwritten), and e-mails it to these addresses (empty: the auditors).
AUDIT_HEAD_DIR = env("AUDIT_HEAD_DIR", default="audit-heads")
AUDIT_HEAD_RECIPIENTS = env.list("AUDIT_HEAD_RECIPIENTS", default=[])
# Rate limits on writes (core/ratelimit.py), "<count>/<s|m|h|d>": per account and per client address; beyond,
# 429 with Retry-After. RATE_LIMIT_PROXY_COUNT trusted proxies put the client's address in X-Forwarded-For.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATELIMIT_ENABLE = RATE_LIMITS_ENABLED
RATELIMIT_USE_CACHE = "ratelimit"
RATE_LIMIT_PROXY_COUNT = env.int("RATE_LIMIT_PROXY_COUNT", default=AXES_IPWARE_PROXY_COUNT)
RATE_LIMIT_COMMENTS = env("RATE_LIMIT_COMMENTS", default="10/m")
RATE_LIMIT_COMMENTS_PER_ADDRESS = env("RATE_LIMIT_COMMENTS_PER_ADDRESS", default="30/m")
RATE_LIMIT_REGISTRATIONS = env("RATE_LIMIT_REGISTRATIONS", default="10/m")
RATE_LIMIT_REGISTRATIONS_PER_ADDRESS = env("RATE_LIMIT_REGISTRATIONS_PER_ADDRESS", default="30/m")
RATE_LIMIT_SIGNUPS_PER_ADDRESS = env("RATE_LIMIT_SIGNUPS_PER_ADDRESS", default="10/h")
RATE_LIMIT_API_WRITES = env("RATE_LIMIT_API_WRITES", default="60/m")
RATE_LIMIT_API_WRITES_PER_ADDRESS = env("RATE_LIMIT_API_WRITES_PER_ADDRESS", default="120/m")
# Public statistics never show a count of people below this (core/disclosure.py): "< 5" instead.
SMALL_COUNT_THRESHOLD = env.int("SMALL_COUNT_THRESHOLD", default=5)
