from django.contrib.auth.backends import ModelBackend

from tenant_apps.accounts import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing every attempt while an account or address is throttled, and
    counting failures. The sign-in form and API show why (throttle.retry_after)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("email")
        if throttle.retry_after(request, username):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(request, username)
        else:
            throttle.record_success(request, username)
        return user
