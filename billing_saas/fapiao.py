"""Chinese invoices (发票): the buyer's tax details checked here, and the adapter that has an e-invoicing provider
issue them.

The provider is a generic JSON API: `POST {FAPIAO_API_BASE}/invoices` with the bearer key FAPIAO_API_KEY, the buyer's
tax details, the amount and the lines, and an `Idempotency-Key` (our request's reference: a repeat returns the
invoice already issued); it answers `{"number": "...", "issued_at": "..."}` when issued, or a 4xx with
`{"error": "..."}` when it refuses the invoice. Anything else (no answer, a timeout, 5xx, 401/403, a body that is not
such JSON) means "not now": the request stays requested and is tried again.

Without FAPIAO_API_BASE, development (FAPIAO_LOCAL_FAKE, on with DEBUG outside production) issues through the local
fake provider (billing_saas.fapiao_fake) in a thread of the process; otherwise there is no provider and requests wait.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from billing_saas.errors import FapiaoRefused, FapiaoUnavailable

# --- the buyer's tax details --------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015): 18 characters of this set (no I, O, S, V, Z), the last a check character.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, position, 31) for position in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...
USCC_SHAPE = re.compile(rf"[{USCC_CHARSET}]{{18}}")
# what the invoice's own fields hold (the provider's and the tax bureau's limits are tighter than ours)
TITLE_MAX, ADDRESS_PHONE_MAX, BANK_ACCOUNT_MAX, EMAIL_MAX = 100, 200, 200, 254
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ORDINARY, SPECIAL = "ordinary", "special"
KINDS = (ORDINARY, SPECIAL)


def tax_id_normalize(value: str) -> str:
    """As people type it: spaces and dashes dropped, upper case (full-width letters and digits made half-width)."""
    import unicodedata

    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or "")).upper()


def tax_id_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code for its first 17 (GB 32100-2015, §5: weights 3^(i-1)
    mod 31, check = 31 - sum mod 31, 31 read as 0)."""
    total = sum(USCC_CHARSET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def tax_id_valid(value: str) -> bool:
    """Whether `value` (normalized) is a unified social credit code: 18 characters of its set, check character
    right."""
    return bool(USCC_SHAPE.fullmatch(value)) and tax_id_check_character(value[:17]) == value[17]


def tax_id_errors(value: str) -> list[str]:
    if not value:
        return [_("Enter the buyer's taxpayer ID (unified social credit code).")]
    if len(value) != 18:
        return [_("A taxpayer ID has 18 characters; this has %(count)s.") % {"count": len(value)}]
    if not USCC_SHAPE.fullmatch(value):
        return [_("A taxpayer ID holds digits and capital letters other than I, O, S, V and Z.")]
    if tax_id_check_character(value[:17]) != value[17]:
        return [_("This taxpayer ID is mistyped: its last character does not match the others. Copy it from the "
                  "business licence.")]
    return []


@dataclass(frozen=True)
class TaxDetails:
    """The buyer as the invoice names it, cleaned (whitespace trimmed, the tax ID normalized)."""

    kind: str
    title: str
    tax_id: str
    address_phone: str
    bank_account: str
    email: str

    @classmethod
    def clean(cls, *, kind, title, tax_id, address_phone, bank_account, email) -> TaxDetails:
        def text(value) -> str:
            return " ".join(str(value or "").split())

        return cls(kind=str(kind or ""), title=text(title), tax_id=tax_id_normalize(str(tax_id or "")),
                   address_phone=text(address_phone), bank_account=text(bank_account), email=text(email))

    def errors(self) -> dict[str, list[str]]:
        """Field errors, by the service's parameter names: a title and a valid taxpayer ID always; a special
        invoice (专票) also needs the buyer's registered address and phone and its bank and account."""
        errors: dict[str, list[str]] = {}

        def limit(name: str, value: str, most: int, required: str | None) -> None:
            if CONTROL.search(value):
                errors[name] = [_("Remove the control characters from this field.")]
            elif len(value) > most:
                errors[name] = [_("Keep this to %(most)s characters (it has %(count)s).")
                                % {"most": most, "count": len(value)}]
            elif required and not value:
                errors[name] = [required]

        if self.kind not in KINDS:
            errors["kind"] = [_("Choose an ordinary or a special VAT invoice.")]
        special = self.kind == SPECIAL
        limit("title", self.title, TITLE_MAX, _("Enter the buyer's name as registered."))
        found = tax_id_errors(self.tax_id) if len(self.tax_id) <= 64 else [_("Enter the 18-character taxpayer ID.")]
        if found:
            errors["tax_id"] = found
        limit("address_phone", self.address_phone, ADDRESS_PHONE_MAX,
              _("A special invoice needs the buyer's registered address and phone.") if special else None)
        limit("bank_account", self.bank_account, BANK_ACCOUNT_MAX,
              _("A special invoice needs the buyer's bank and account number.") if special else None)
        limit("email", self.email, EMAIL_MAX, _("Enter the email the invoice is sent to."))
        if "email" not in errors:
            try:
                validate_email(self.email)
            except ValidationError:
                errors["email"] = [_("Enter a valid email address.")]
        return errors


# --- the adapter --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FapiaoLine:
    name: str  # "*信息技术服务*..." as the tax classification names it
    amount: Decimal  # tax included
    tax_rate: Decimal = Decimal("0.06")  # modern services (信息技术服务): 6 %


@dataclass(frozen=True)
class FapiaoOrder:
    """What the provider is asked to issue."""

    reference: str  # ours, unique: the provider's idempotency key
    buyer: TaxDetails
    amount: Decimal
    currency: str
    lines: list[FapiaoLine] = field(default_factory=list)

    def as_json(self) -> dict:
        buyer = self.buyer
        return {
            "reference": self.reference, "kind": buyer.kind, "title": buyer.title, "tax_id": buyer.tax_id,
            "address_phone": buyer.address_phone, "bank_account": buyer.bank_account, "email": buyer.email,
            "amount": str(self.amount), "currency": self.currency,
            "items": [{"name": line.name, "amount": str(line.amount), "tax_rate": str(line.tax_rate)}
                      for line in self.lines],
        }


@dataclass(frozen=True)
class Issued:
    number: str
    issued_at: datetime | None = None


class Invoicer(Protocol):
    def issue(self, order: FapiaoOrder) -> Issued:
        """Issue the invoice, or raise FapiaoRefused (never issued as asked) or FapiaoUnavailable (try later)."""


NUMBER = re.compile(r"[0-9A-Za-z\-]{1,64}")
ANSWER_MAX = 64 * 1024


def _short(text: str, most: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= most else text[: most - 1] + "…"


class HttpInvoicer:
    """The generic JSON API over HTTP (urllib: no dependency)."""

    def __init__(self, base: str, api_key: str = "", *, timeout: float = 10.0):
        if not base.startswith(("http://", "https://")):
            raise ImproperlyConfigured("FAPIAO_API_BASE must be an http(s) URL.")
        self.base, self.api_key, self.timeout = base.rstrip("/"), api_key, timeout

    def issue(self, order: FapiaoOrder) -> Issued:
        body = json.dumps(order.as_json(), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
                   "Idempotency-Key": order.reference}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(f"{self.base}/invoices", data=body, headers=headers,  # noqa: S310 - http(s)
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                status, raw = response.status, response.read(ANSWER_MAX)
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read(ANSWER_MAX)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, DNS, a broken answer
            reason = getattr(error, "reason", None) or error
            raise FapiaoUnavailable(_("The invoicing service did not answer (%(reason)s).")
                                    % {"reason": _short(reason, 120)}) from None
        answer = _json(raw)
        if 200 <= status < 300:
            number = answer.get("number") if isinstance(answer, dict) else None
            if not isinstance(number, str) or not NUMBER.fullmatch(number):
                raise FapiaoUnavailable(_("The invoicing service answered without an invoice number."))
            issued_at = answer.get("issued_at")
            return Issued(number=number, issued_at=parse_datetime(issued_at) if isinstance(issued_at, str) else None)
        message = answer.get("error") if isinstance(answer, dict) else None
        message = _short(message) if isinstance(message, str) and message.strip() else f"HTTP {status}"
        if status in (400, 409, 422):
            raise FapiaoRefused(message)
        raise FapiaoUnavailable(_("The invoicing service could not issue now (%(reason)s).") % {"reason": message})


def _json(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def invoicer() -> Invoicer | None:
    """The configured provider: FAPIAO_API_BASE; else, in development, the local fake (started once per process);
    else none (requests wait, saying so)."""
    base = getattr(settings, "FAPIAO_API_BASE", "")
    if base:
        return HttpInvoicer(base, getattr(settings, "FAPIAO_API_KEY", ""),
                            timeout=getattr(settings, "FAPIAO_TIMEOUT", 10.0))
    if getattr(settings, "FAPIAO_LOCAL_FAKE", False):
        from billing_saas.fapiao_fake import local_provider

        return local_provider().invoicer()
    return None


def is_local_fake() -> bool:
    """Whether invoices are issued by the local fake (numbers that are not real): pages say so."""
    return not getattr(settings, "FAPIAO_API_BASE", "") and getattr(settings, "FAPIAO_LOCAL_FAKE", False)
