"""The e-invoicing provider for invoices to dealers: billing_saas.fapiao's adapter (the same JSON API, the same
settings FAPIAO_API_BASE / FAPIAO_API_KEY, the same local fake in development) plus the invoice's PDF, fetched
after it is issued from `GET {FAPIAO_API_BASE}/invoices/<number>.pdf`.

An adapter raises FapiaoRefused (the provider will not issue it as asked: fix the details) or FapiaoUnavailable
(not now: tried again later)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from billing_saas.errors import FapiaoRefused, FapiaoUnavailable
from billing_saas.fapiao import FapiaoLine, FapiaoOrder, HttpInvoicer, Issued, TaxDetails  # noqa: F401

PDF_MAX = 5 * 1024 * 1024

__all__ = ["DealerInvoicer", "FapiaoLine", "FapiaoOrder", "FapiaoRefused", "FapiaoUnavailable", "HttpDealerInvoicer",
           "Issued", "TaxDetails", "invoicer"]


class DealerInvoicer(Protocol):
    def issue(self, order: FapiaoOrder) -> Issued:
        """Issue the invoice (FapiaoRefused, FapiaoUnavailable)."""

    def pdf(self, number: str) -> bytes:
        """The issued invoice's PDF (FapiaoUnavailable when it cannot be had now)."""


class HttpDealerInvoicer:
    def __init__(self, base: str, api_key: str = "", *, timeout: float = 10.0):
        self.http = HttpInvoicer(base, api_key, timeout=timeout)

    def issue(self, order: FapiaoOrder) -> Issued:
        return self.http.issue(order)

    def pdf(self, number: str) -> bytes:
        headers = {"Accept": "application/pdf"}
        if self.http.api_key:
            headers["Authorization"] = f"Bearer {self.http.api_key}"
        url = f"{self.http.base}/invoices/{urllib.parse.quote(number, safe='')}.pdf"
        request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=self.http.timeout) as response:  # noqa: S310
                data = response.read(PDF_MAX + 1)
        except urllib.error.HTTPError as error:
            raise FapiaoUnavailable(_("The invoicing service did not give the PDF (HTTP %(status)s).")
                                    % {"status": error.code}) from None
        except (OSError, http.client.HTTPException):
            raise FapiaoUnavailable(_("The invoicing service did not answer.")) from None
        if len(data) > PDF_MAX or not data.startswith(b"%PDF-"):
            raise FapiaoUnavailable(_("The invoicing service's PDF is not a PDF."))
        return data


def invoicer() -> DealerInvoicer | None:
    """The configured provider (FAPIAO_API_BASE), else in development the local fake, else none."""
    base = getattr(settings, "FAPIAO_API_BASE", "")
    if base:
        return HttpDealerInvoicer(base, getattr(settings, "FAPIAO_API_KEY", ""),
                                  timeout=getattr(settings, "FAPIAO_TIMEOUT", 10.0))
    if getattr(settings, "FAPIAO_LOCAL_FAKE", False):
        from billing_saas.fapiao_fake import local_provider

        return HttpDealerInvoicer(local_provider().url)
    return None
