"""Test environment, set before Django's settings load (this is an initial conftest)."""

import os

os.environ["DJANGO_ENV"] = "test"
os.environ["PLATFORM_DOMAIN"] = "localhost"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")
# Tests never reach real services unless a test sets them up itself.
for name in ("REDIS_URL", "CELERY_BROKER_URL", "SENTRY_DSN"):
    os.environ.pop(name, None)
