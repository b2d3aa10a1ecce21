"""Sign-in throttling against password guessing: growing delays, never a lock that anyone can set off.

Failures are counted in the (tenant-keyed) cache under three keys: the account, the client address
(tenant_apps.core.clients), and the pair of both. Each key lets its first `free` failures through; after that,
every attempt must wait 2**k units since that key's last failure (k: failures beyond the free ones), at most
`cap` seconds. An attempt made while any of its keys waits is refused whatever the password, and is not counted.

- pair (one client guessing one account): slows to a crawl (one guess per 15 minutes);
- address (one client trying many accounts): the same, past a larger allowance;
- account (many clients on one account): capped short (a minute), so that failures from anywhere else keep the
  real user out for that long at most, while a distributed guess still gets one try a minute.

An attempt is counted before its password is checked (guesses sent in parallel cannot all slip through while the
first are hashing); a success clears the account's and the pair's counts and takes the attempt back from the
address's. Used by the authentication backend (counting) and by the
sign-in form and API serializer (a clear message with the wait). Settings: LOGIN_THROTTLE (below).
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext, ngettext

from tenant_apps.core.clients import client_address

# key kind -> (failures let through, longest wait in seconds); the unit of the growing wait is in seconds
DEFAULTS = {"unit": 1.0, "pair": (5, 15 * 60), "address": (20, 15 * 60), "account": (10, 60)}
FORGET_AFTER = 24 * 3600  # a key with no failure for this long starts over


def _policy() -> dict:
    return {**DEFAULTS, **getattr(settings, "LOGIN_THROTTLE", {})}


def delay(failures: int, *, free: int, cap: float, unit: float = 1.0) -> float:
    """Seconds an attempt must wait after a key's last failure, given the key's failures so far."""
    if failures < free:
        return 0.0
    return min(unit * 2 ** min(failures - free, 32), cap)


def _keys(request, username: str) -> dict[str, str]:
    account = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    keys = {"account": f"login-fail:account:{account}"}
    address = client_address(request) if request is not None else ""
    if address:
        keys["address"] = f"login-fail:ip:{address}"
        keys["pair"] = f"login-fail:pair:{account}:{address}"
    return keys


def retry_after(request, username: str) -> float:
    """Seconds until sign-in may be tried again for this account from this client; 0 when it may be tried now."""
    policy, now = _policy(), time.time()
    entries = cache.get_many(list(_keys(request, username).values()))
    waits = [0.0]
    for kind, key in _keys(request, username).items():
        entry = entries.get(key)
        if entry:
            free, cap = policy[kind]
            waits.append(entry["last"] + delay(entry["count"], free=free, cap=cap, unit=policy["unit"]) - now)
    return max(waits)


def record_failure(request, username: str) -> None:
    now = time.time()
    keys = list(_keys(request, username).values())
    entries = cache.get_many(keys)
    cache.set_many({key: {"count": entries.get(key, {}).get("count", 0) + 1, "last": now} for key in keys},
                   FORGET_AFTER)


def record_success(request, username: str) -> None:
    """A right password: the account and pair start over; the address's count takes back the attempt counted
    before the check (its other failures stand: they may be guesses at other accounts)."""
    keys = _keys(request, username)
    cache.delete_many([keys[kind] for kind in ("account", "pair") if kind in keys])
    if "address" in keys and (entry := cache.get(keys["address"])):
        cache.set(keys["address"], {**entry, "count": max(0, entry["count"] - 1)}, FORGET_AFTER)


def password_verify(user, password: str) -> tuple[bool, float]:
    """Check a signed-in user's current password (before a change) under the account's sign-in throttle: a stolen
    session or token guesses it no faster than the sign-in page would let it. (right, seconds to wait)."""
    email = user.get_username()
    wait = retry_after(None, email)
    if wait:
        return False, wait
    record_failure(None, email)
    if not user.check_password(password or ""):
        return False, 0.0
    record_success(None, email)
    return True, 0.0


def message(seconds: float) -> str:
    """Why sign-in (or a password check) is refused for now."""
    if seconds < 60:
        return gettext("Too many failed sign-ins. Wait a moment, then try again.")
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("Too many failed sign-ins. Try again in %(minutes)s minute.",
                    "Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes) % {"minutes": minutes}
