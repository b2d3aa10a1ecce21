"""Access checks for pages: the capability a view needs (403 without it), from the one matrix in
tenant_apps/accounts/permissions.py."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from tenant_apps.accounts.permissions import CONSOLE, has_perm


def is_console_user(user) -> bool:
    return has_perm(user, CONSOLE)


def requires(capability: str):
    """Page decorator: sign-in first (redirect), then the capability (403)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


console_required = requires(CONSOLE)
