"""Settings shared by every deployment, read from the environment.

SQLite is the default so that a fresh checkout just runs (`onward demo`); PostgreSQL is
the production database, chosen with DATABASE_URL. Production hardening lives in
`production.py`, which refuses to start without a real secret key.
"""

import datetime as dt
from pathlib import Path

import dj_database_url

from onward.env import (
    env_bool,
    env_choice,
    env_date,
    env_int,
    env_list,
    env_str,
    private_files,
)
from onward.web.logs import REFUSAL_LOGGERS

# Before anything is created: settings are loaded by every entry point (the command line,
# the WSGI server's workers, the background worker, the tests), so this covers them all.
private_files()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("ONWARD_DATA_DIR", str(Path.cwd() / "var")))

# A development key: production.py replaces it and refuses to run without SECRET_KEY.
DEVELOPMENT_SECRET_KEY = "onward-insecure-development-key-not-for-production-use"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
# The proxies (addresses or networks, or "*") whose X-Forwarded-For names the client: the
# same variable gunicorn reads for the proxies whose X-Forwarded-Proto it believes. None
# by default here (the demo has no proxy); production.py trusts the local machine.
ONWARD_TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "onward.accounts",
    "onward.audit",
    "onward.registry",
    "onward.relocation",
    "onward.interviews",
    "onward.readiness",
    "onward.composition",
    "onward.movements",
    "onward.incidents",
    "onward.camp",
    "onward.dedup",
    "onward.reports",
    "onward.web",
    "onward.jobs",
    "onward.matching",
    "onward.demo",
    "onward.vault",
    "onward.backup",
    "onward.documents",
    "onward.tasks",
    "onward.presence",
    "onward.consent",
    "onward.retention",
    "onward.letters",
]

# Pages and API answers are compressed (GZip, with Django's BREACH mitigation: see
# docs/security.md, "Compression"). Here, for the demo, GZip comes before WhiteNoise so
# that it compresses the static files too; production.py puts it after, because there
# they are compressed once at collectstatic (gzip and brotli) and served as they are.
MIDDLEWARE = [
    # First: the request id and the audit context hold for everything below, and every
    # answer (a redirect or refusal of a middleware too) carries X-Request-ID.
    "onward.audit.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "onward.web.middleware.RefuseNulMiddleware",
    "onward.web.middleware.WesternDigitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The account's language, digits and calendar win over the browser's (LocaleMiddleware).
    "onward.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "onward.web.middleware.NoStoreMiddleware",
    # Sign-in (onward/accounts/middleware.py): after the audit context, so that a logout
    # they cause is audited with its address; django-axes wants to be last.
    "django_otp.middleware.OTPMiddleware",
    "onward.accounts.middleware.SessionLimitMiddleware",
    "onward.accounts.middleware.SessionRenewMiddleware",
    "onward.accounts.middleware.TwoFactorMiddleware",
    # After the sign-in checks: the heavy read pages read the replica when one is
    # configured and in step (onward/replica.py); the signed-in user is read from the
    # primary before. django-axes stays last, as it asks.
    "onward.replica.ReplicaMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onward.urls"
WSGI_APPLICATION = "onward.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onward.web.context.navigation",
                "onward.tasks.context.inbox",
                "onward.relocation.context.reviews",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'onward.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # WAL lets the background worker write while pages read.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Behind a transaction-mode pooler (PgBouncer, docs/operations.md "Connection pooler"):
# a connection is the client's for one transaction only, so no server-side cursor (a
# named cursor outlives the transaction that opened it: .iterator() would use one) and
# no prepared statement (psycopg prepares a query seen 5 times, on one server connection).
DB_TRANSACTION_POOLER = env_bool("DB_TRANSACTION_POOLER", False)
if DB_TRANSACTION_POOLER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None

# A read replica (docs/operations.md, "Read replica"): a PostgreSQL hot standby that the
# heavy read pages read when it is within ONWARD_REPLICA_MAX_LAG_SECONDS of the primary
# (onward/replica.py). Writes and migrations never go there. A short connect timeout: an
# unreachable replica costs a page that long once, then it is left alone until the next
# check (ONWARD_REPLICA_CHECK_SECONDS).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
ONWARD_REPLICA_MAX_LAG_SECONDS = env_int("ONWARD_REPLICA_MAX_LAG_SECONDS", 5, minimum=0)
ONWARD_REPLICA_CHECK_SECONDS = env_int("ONWARD_REPLICA_CHECK_SECONDS", 3, minimum=1, maximum=60)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "ONWARD_REPLICA_CONNECT_TIMEOUT", 2, minimum=1, maximum=60
    )
    if DB_TRANSACTION_POOLER:
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["replica"]["OPTIONS"]["prepare_threshold"] = None
    # Tests: the replica holds the primary's test database (it streams it), never one of
    # its own; and a test's flush is never sent to it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["onward.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("fa", "فارسی")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language cookie set by the switch (django.views.i18n.set_language): a year, sent to
# Onward only over HTTPS in production like the session cookie.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "Asia/Baghdad")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The demo serves static files straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
# Uploaded documents (onward/documents), encrypted per file before they are written.
MEDIA_ROOT = DATA_DIR / "documents"


def document_storage() -> dict:
    """Where document files go: the local disk (MEDIA_ROOT), or S3-compatible object
    storage when DOCUMENTS_S3_BUCKET is set (docs/operations.md "Document storage").
    Either way the files are ciphertext: onward/documents encrypts before it writes."""
    bucket = env_str("DOCUMENTS_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty: AWS itself; set for MinIO, Ceph, Garage or another compatible server.
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("DOCUMENTS_S3_REGION", "") or None,
            # Empty: boto3's own chain (instance role, ~/.aws); never written in a file here.
            "access_key": env_str("DOCUMENTS_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("DOCUMENTS_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("DOCUMENTS_S3_PREFIX", ""),
            # Names are content hashes: the same name is the same ciphertext.
            "file_overwrite": True,
            "default_acl": None,
            # Files are never served from the bucket, only through Onward's download view.
            "querystring_auth": False,
        },
    }


STORAGES = {
    "default": document_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
# Idle timeout: a session unused for 30 minutes has expired (a request renews it when the
# last renewal is a minute old: onward.accounts.middleware.SessionRenewMiddleware).
# Absolute timeout: whatever the activity, a session ends 10 hours after sign-in
# (onward.accounts.middleware.SessionLimitMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env_int("ONWARD_SESSION_RENEW_SECONDS", 60, minimum=0, maximum=600)
ONWARD_SESSION_ABSOLUTE_AGE = env_int("ONWARD_SESSION_ABSOLUTE_AGE", 10 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Lax, not Strict: every change is a POST, which Lax withholds from other sites (and the
# CSRF token is checked on top); Strict would also withhold the cookies when a user follows
# a link to a case from a mail or a chat, showing a sign-in page to someone signed in and
# replacing the CSRF cookie under forms open in other tabs.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): scripts, styles and images from the app itself
# only, no inline script or style, never framed. Pages keep behaviour in static files
# (onward/web/static/onward/ui.js) and data in <script type="application/json"> blocks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Uploads are written by Django's storage with these modes, not the umask's.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The signed-in, two-factor-verified browser session only: a password alone
        # (HTTP Basic) would bypass the second factor.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "onward.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "onward.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A JSON body is bounded in size and depth before it is parsed (onward/api/parsers.py).
    # JSON only: a form body carries no null, no list, no number (every value a string),
    # so the schema would promise one body in three shapes. The person import takes its
    # multipart upload with its own parser (registry/api_imports.py).
    "DEFAULT_PARSER_CLASSES": ["onward.api.parsers.BoundedJSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Onward API",
    "DESCRIPTION": "Case management for a temporary transit location.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Request bodies get components of their own, so that a field that may not be blank
    # says minLength 1 (and, trimmed, a pattern: onward/api/schema.py) and a read-only one
    # is not asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    # Onward's PATCH bodies are validated whole (a `version` is required, the rest is
    # optional by the serializer itself): the schema keeps their `required` list.
    "COMPONENT_SPLIT_PATCH": False,
    # Every operation documents its error answers ({"error": ..., "fields": ...}).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "onward.api.schema.add_error_responses",
    ],
    # Several models have a "status" or "type": name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "onward.registry.models.Case.Status",
        "DuplicatePairStatusEnum": "onward.dedup.models.DuplicatePair.Status",
        "PledgeStatusEnum": "onward.relocation.models.Pledge.Status",
        "TransferStatusEnum": "onward.movements.models.Transfer.Status",
        "ProtectionRequestStatusEnum": "onward.incidents.models.ProtectionRequest.Status",
        "MatchRunStatusEnum": "onward.matching.models.MatchRun.Status",
        "IncidentTypeEnum": "onward.incidents.models.Incident.Type",
        "IncidentDatePrecisionEnum": [("D", "Day"), ("M", "Month")],
        "ReadinessKindEnum": "onward.readiness.models.Kind.values",
    },
}

# A refused request (4xx) logs one line, never a traceback (onward/web/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusal": {"()": "onward.web.logs.OneLineRefusal"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {name: {"filters": ["one_line_refusal"]} for name in REFUSAL_LOGGERS},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        ),
    },
}

# Background jobs (docs/operations.md, "Background worker"). A worker holds a lease on
# the job it runs and renews it every quarter of its length; a job whose lease expired
# (its worker died) is taken back by any worker: queued again while attempts remain, for
# the kinds that are safe to retry, failed with the reason otherwise.
ONWARD_JOB_LEASE_SECONDS = env_int("ONWARD_JOB_LEASE_SECONDS", 60, minimum=2, maximum=3600)
ONWARD_JOB_MAX_ATTEMPTS = env_int("ONWARD_JOB_MAX_ATTEMPTS", 3, minimum=1, maximum=10)
# Submitting a case to a pledge needs every adult member's consent for the pledge's country
# (or an override with a reason): onward/consent/rules.py, docs/consent.md.
ONWARD_CONSENT_REQUIRED = env_bool("ONWARD_CONSENT_REQUIRED", True)
# Uploaded import files and their error reports are removed after this many days (by the
# background worker, hourly, or `onward purge_uploads`): docs/security.md.
ONWARD_UPLOAD_RETENTION_DAYS = env_int("ONWARD_UPLOAD_RETENTION_DAYS", 30, minimum=1)
# Retention (onward/retention, docs/retention.md): a person's identifying data is
# anonymised this many whole years after the event each rule names (0: at the next run).
ONWARD_RETENTION_DEPARTED_YEARS = env_int("ONWARD_RETENTION_DEPARTED_YEARS", 5, minimum=0)
ONWARD_RETENTION_DECEASED_YEARS = env_int("ONWARD_RETENTION_DECEASED_YEARS", 2, minimum=0)
ONWARD_RETENTION_MERGED_YEARS = env_int("ONWARD_RETENTION_MERGED_YEARS", 1, minimum=0)
ONWARD_RETENTION_REMOVED_YEARS = env_int("ONWARD_RETENTION_REMOVED_YEARS", 1, minimum=0)
# The largest person file an import accepts (the proxy's client_max_body_size must allow it).
ONWARD_IMPORT_MAX_BYTES = env_int("ONWARD_IMPORT_MAX_BYTES", 200 * 1024 * 1024, minimum=1)

# E-mail (docs/operations.md, "E-mail digests"): Django's SMTP backend, to the server
# named here. Digests carry record ids and links only; the links start with the base URL.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1, maximum=600)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "onward@localhost")
ONWARD_BASE_URL = env_str("ONWARD_BASE_URL", "http://localhost:8000").rstrip("/")

# Reports shared outside the operation round or suppress cells below this count.
ONWARD_SMALL_CELL = env_int("ONWARD_SMALL_CELL", 5, minimum=1)
# Readiness reminders (issue 19): a case accepted this many days ago and still not ready
# is named on the readiness page, counted on the dashboard and made a task.
ONWARD_READINESS_NOT_READY_DAYS = env_int(
    "ONWARD_READINESS_NOT_READY_DAYS", 30, minimum=1, maximum=3650
)
# The date the Reports page opens on when none is asked (YYYY-MM-DD; empty: today). The
# demo's server opens it on the reference operation's date, where its history shows.
ONWARD_REPORTS_AS_OF = env_date("ONWARD_REPORTS_AS_OF")
# The dashboard keeps its computed figures until a record changes (every committed write
# retires them), and never longer than this many seconds; 0: computed at every request.
ONWARD_FIGURES_CACHE_SECONDS = env_int("ONWARD_FIGURES_CACHE_SECONDS", 60, minimum=0)
# The whole-registry duplicate run on a Dask cluster: the scheduler's address
# (tcp://host:8786; docs/dedup.md, "On several workers"). Empty: in the worker's process.
ONWARD_DEDUP_SCHEDULER = env_str("ONWARD_DEDUP_SCHEDULER", "").strip()
# The earliest date the operation holds (YYYY-MM-DD): arrivals, events and report dates
# before it are refused (onward/bounds.py; docs/security.md, "Bad input").
ONWARD_OPERATION_START = env_date("ONWARD_OPERATION_START") or dt.date(2000, 1, 1)

# The operation's name, first in the title of its situation reports ("Camp Liberty:
# situation report"); empty: "Situation report". `onward demo` sets "Camp Liberty".
ONWARD_OPERATION_NAME = env_str("ONWARD_OPERATION_NAME").strip()

# Field encryption keys (onward.vault.keys): `kid:base64` entries, the first one primary.
# Never in the database or the repository. Without them, development uses a random key
# file made once in the data directory; production.py refuses to start.
ONWARD_FIELD_KEYS = env_str("ONWARD_FIELD_KEYS")
ONWARD_FIELD_KEYS_DEV_FILE = DATA_DIR / "field-keys"

# Sign-in security (docs/security.md, "Sign-in").
# Lockout (django-axes): 5 failed sign-ins lock a username for 30 minutes, counted per
# username (a guesser spread over many addresses is stopped too) and per username and
# address. Not per address alone: a field office shares one address behind its router.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try while locked does not restart the 30 minutes: whoever hammers an account cannot
# keep its owner out for ever (every try is still in the audit log).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "onward.accounts.views.locked_out"
# The same address the audit log records (REMOTE_ADDR; see onward/audit/middleware.py).
AXES_CLIENT_IP_CALLABLE = "onward.audit.middleware.client_ip"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log already

# Two-factor sign-in (django-otp, TOTP) for every role that reads personal data.
# `onward demo` turns it off for its own local server; production.py forces it on.
ONWARD_REQUIRE_2FA = env_bool("ONWARD_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Onward"
ONWARD_PRODUCTION = False
