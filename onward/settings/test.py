"""Tests: the same settings, with a fast password hasher (healthchecks' trick)."""

from onward.env import env_bool
from onward.settings.base import *  # noqa: F403
from onward.vault.keys import new_key_line

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
ONWARD_JOBS_EAGER = True
# A test's transaction never commits, so the writes it makes would not retire the
# dashboard's kept figures: computed at every request here; reports/tests/
# test_figures_cache.py switches it on over committed transactions.
ONWARD_FIGURES_CACHE_SECONDS = 0
# A random field key per test process: no key is ever written down for the tests.
ONWARD_FIELD_KEYS = new_key_line("test")
ONWARD_FIELD_KEYS_DEV_FILE = None
# The shared fixtures that submit cases (relocation/tests/factories.py and the other apps'
# tests) record no consent yet: the consent tests switch the rule on themselves
# (onward/consent/tests). To be switched on here once the fixtures record consents.
ONWARD_CONSENT_REQUIRED = env_bool("ONWARD_CONSENT_REQUIRED", False)
