"""Access checks for pages: the capability a view needs (403 without it), from the one matrix in
tenant_apps/accounts/permissions.py; and whether a reader may open a page, for the links shown to them."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

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

        # What the page needs, for `may_open` (kept through the decorators outside this one, which copy it).
        wrapper.capabilities = getattr(view, "capabilities", frozenset()) | {capability}
        return wrapper

    return decorate


def may_open(user, page: str) -> bool:
    """Whether `user` may open `page` (a URL name without arguments, or a path on this host): what its view
    declares with `@requires`, checked against the matrix. A link is shown only to whoever may follow it.
    A name or path that leads nowhere is not openable."""
    try:
        path = page if page.startswith("/") else reverse(page)
        view = resolve(path.split("?", 1)[0]).func
    except (NoReverseMatch, Resolver404):
        return False
    return all(has_perm(user, capability) for capability in getattr(view, "capabilities", ()))


console_required = requires(CONSOLE)
