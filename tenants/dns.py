"""TXT look-ups for custom-domain verification (dnspython).

With DNS_NAMESERVERS set, only those servers are asked (on DNS_PORT; tests run a loopback server);
otherwise the system's resolver configuration is used. Every look-up gives up after DNS_TIMEOUT seconds.
"""

from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings

NXDOMAIN = "nxdomain"
NO_TXT = "no_txt"
TIMEOUT = "timeout"
FAILED = "failed"


class LookupFailed(Exception):
    """A look-up that gave no TXT strings; `reason` is one of NXDOMAIN, NO_TXT, TIMEOUT, FAILED."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def resolver() -> dns.resolver.Resolver:
    if settings.DNS_NAMESERVERS:
        configured = dns.resolver.Resolver(configure=False)
        configured.nameservers = list(settings.DNS_NAMESERVERS)
        configured.port = settings.DNS_PORT
    else:
        configured = dns.resolver.Resolver()
    configured.timeout = settings.DNS_TIMEOUT
    configured.lifetime = settings.DNS_TIMEOUT
    return configured


def txt_lookup(name: str) -> list[str]:
    """The TXT strings published at `name` (each record's character-strings joined)."""
    try:
        answer = resolver().resolve(name, "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        raise LookupFailed(NXDOMAIN) from None
    except dns.resolver.NoAnswer:
        raise LookupFailed(NO_TXT) from None
    except dns.exception.Timeout:
        raise LookupFailed(TIMEOUT) from None
    except dns.exception.DNSException:
        # no answering server (SERVFAIL, REFUSED), no resolver configuration, a malformed name...
        raise LookupFailed(FAILED) from None
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
