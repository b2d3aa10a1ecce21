"""WSGI entry point (gunicorn). WSGI, not ASGI: django-tenants keeps the schema on the connection."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")
application = get_wsgi_application()

# Read the tenant-migration fingerprint once at start-up, not on the first sign-up.
from tenants.schemas import code_version  # noqa: E402

code_version()
