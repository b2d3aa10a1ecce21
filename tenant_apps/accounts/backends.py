from django.contrib.auth.backends import ModelBackend

from tenant_apps.accounts import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's backend (which hashes a dummy password for an unknown email, so that both take as long), refusing
    every attempt while the account or address must wait, and counting failures. An attempt is counted before its
    password is checked and forgiven when it was right: guesses sent in parallel cannot all pass the check while
    the first ones are still hashing. The sign-in form and API show why (throttle.retry_after)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("email")
        if throttle.retry_after(request, username):
            return None
        throttle.record_failure(request, username)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            throttle.record_success(request, username)
        return user
