"""Settings for the test suite: the environment of DJANGO_ENV=test, fixed before the settings load.

Tests never reach Redis, a broker or Sentry unless a test sets one up itself.
"""

import os

os.environ["DJANGO_ENV"] = "test"
os.environ["PLATFORM_DOMAIN"] = "localhost"
for _name in ("REDIS_URL", "CELERY_BROKER_URL", "SENTRY_DSN", "SECURE_SSL_REDIRECT"):
    os.environ.pop(_name, None)

from dms.settings import *  # noqa: E402, F403
