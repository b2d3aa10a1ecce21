"""Settings for the test suite: the environment of DJANGO_ENV=test, fixed before the settings load.

Tests never reach Redis, a broker or Sentry unless a test sets one up itself.
"""

import os

os.environ["DJANGO_ENV"] = "test"
os.environ["PLATFORM_DOMAIN"] = "localhost"
for _name in ("REDIS_URL", "CELERY_BROKER_URL", "SENTRY_DSN", "SECURE_SSL_REDIRECT"):
    os.environ.pop(_name, None)

from dms.settings import *  # noqa: E402, F403

# One process: the in-memory cache, fresh for every run (no files left from an earlier run).
CACHES = {  # noqa: F405
    "default": {**{key: value for key, value in CACHES["default"].items() if key.endswith("KEY_FUNCTION")},  # noqa: F405
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "platform": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# A commit does not wait for its WAL to reach the disk: a crash could lose the last few (test) transactions,
# never corrupt the database. The suite commits a great deal (schemas cloned per module, servers' requests).
DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"  # noqa: F405

# Events are relayed in the committing thread right after the commit: a test sees the notifications and webhook
# deliveries of what it just did (tests/events/test_relay_thread.py tests the relay thread itself).
EVENTS_RELAY = "inline"
