"""Tests: the same settings, with a fast password hasher (healthchecks' trick)."""

from onward.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
ONWARD_JOBS_EAGER = True
