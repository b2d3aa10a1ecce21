"""Django configuration package of the dealer ordering platform (imported as `dms`)."""

# Load the Celery app with Django so that @shared_task binds to it.
from dms.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
