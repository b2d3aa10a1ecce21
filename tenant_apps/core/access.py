"""Who may use the brand console. Issue 5 replaces this with the role/permission matrix; until then
the console is for the workspace owner and for platform support during a support-access window."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def is_console_user(user) -> bool:
    return bool(user.is_authenticated and (user.is_owner or user.is_support))


def console_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_console_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
