"""Login throttling against password guessing, per account and per client address.

Failures are counted in the (tenant-keyed) cache for a window; past the limit, sign-in is refused
for the rest of the window whatever the password. Used by the authentication backend (counting)
and by the sign-in form and API serializer (a clear message).
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from tenant_apps.core.clients import client_address

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _keys(request, username: str) -> list[str]:
    account = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-fail:account:{account}"]
    address = client_address(request) if request is not None else ""
    if address:
        keys.append(f"login-fail:ip:{address}")
    return keys


def retry_after(request, username: str) -> int:
    """Seconds until sign-in may be tried again; 0 when it may be tried now."""
    now = time.time()
    waits = []
    for key in _keys(request, username):
        entry = cache.get(key)
        if entry and entry["count"] >= MAX_FAILURES * (1 if key.startswith("login-fail:account") else 4):
            waits.append(int(entry["until"] - now))
    return max([wait for wait in waits if wait > 0], default=0)


def record_failure(request, username: str) -> None:
    now = time.time()
    for key in _keys(request, username):
        entry = cache.get(key) or {"count": 0, "until": now + WINDOW_SECONDS}
        entry["count"] += 1
        cache.set(key, entry, int(entry["until"] - now) + 1)


def record_success(request, username: str) -> None:
    cache.delete(_keys(request, username)[0])
