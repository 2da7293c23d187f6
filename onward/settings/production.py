"""Production: PostgreSQL, HTTPS only, a real secret from the environment.

`onward check --deploy` with these settings reports nothing.
"""

from django.core.exceptions import ImproperlyConfigured

from onward.env import env_bool, env_int, env_list, env_str
from onward.settings.base import *  # noqa: F403
from onward.settings.base import DATABASES, DEVELOPMENT_SECRET_KEY, MIDDLEWARE
from onward.vault.keys import parse_keys

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value.")

# The keys of the encrypted fields (onward.vault): never the development key file, never
# a start without them (rows written with no key, or a key made up here, would be lost).
ONWARD_FIELD_KEYS = env_str("ONWARD_FIELD_KEYS")
ONWARD_FIELD_KEYS_DEV_FILE = None
if not ONWARD_FIELD_KEYS:
    raise ImproperlyConfigured(
        "Set ONWARD_FIELD_KEYS (or ONWARD_FIELD_KEYS_FILE) to the field-encryption keys; "
        "`onward keys generate` prints a new one. Keep them outside the database and its "
        "backups."
    )
parse_keys(ONWARD_FIELD_KEYS)  # a malformed entry stops the start, naming the entry

DEBUG = False
# One connection per web process, kept for a minute and checked before reuse, instead of
# a new PostgreSQL connection for every request.
# (A new dict: base's is the one the other settings modules hold.)
# The read replica's connection too (DATABASE_REPLICA_URL), when there is one.
DATABASES = {
    alias: {
        **db,
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
    }
    for alias, db in DATABASES.items()
}

# Static files: collected under hashed names (`onward collectstatic`), compressed there
# once with gzip and brotli, served by WhiteNoise with a year's `immutable` caching (a
# new version has a new name). Only the hashed copies are kept: every page names its
# static files through {% static %}.
WHITENOISE_USE_FINDERS = False
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": document_storage(),  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MIDDLEWARE = [m for m in MIDDLEWARE if m != "django.middleware.gzip.GZipMiddleware"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "django.middleware.gzip.GZipMiddleware",
)

# Behind the TLS-terminating proxy, the WSGI server says whether a request came over
# HTTPS: gunicorn believes X-Forwarded-Proto only from the addresses in
# FORWARDED_ALLOW_IPS (onward/deploy/gunicorn_conf.py), waitress only from its
# --trusted-proxy. Django does not read the header itself (SECURE_PROXY_SSL_HEADER),
# which would believe it from any client that can reach the server.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = None
ONWARD_TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

# Two-factor sign-in cannot be switched off in production, whatever the environment says.
ONWARD_REQUIRE_2FA = True
# `onward demo` refuses to run, and `check --deploy` looks for demo accounts.
ONWARD_PRODUCTION = True
