"""What the WeChat Pay and Alipay adapters share: RSA keys read from what the brand pasted, SHA256withRSA signatures
(PKCS#1 v1.5, base64: the scheme both providers document), one HTTP call with the network's failures turned into a
retryable ProviderError, and the money rules of a CNY-only provider.

urllib, not requests: one call per use, no session to keep, and the same choice as billing_saas.fapiao."""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.client
import re
import urllib.error
import urllib.request
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils.translation import gettext as _

from tenant_apps.finance.payments.base import ProviderError

ANSWER_MAX = 256 * 1024
TIMEOUT = 10.0


def _pem(text: str, kind: str) -> bytes:
    """A key as pasted: a full PEM, or only its base64 body (how both consoles show keys). A full PEM is wrapped
    anew: a browser's one-line input drops its line breaks."""
    text = (text or "").strip()
    if not text:
        return b""
    armoured = re.fullmatch(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", text, flags=re.S)
    if armoured:
        kind, text = armoured.group(1), armoured.group(2)
    elif "-----BEGIN" in text:
        return text.encode()
    body = re.sub(r"\s+", "", text)
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----\n".encode()


def private_key(text: str) -> rsa.RSAPrivateKey:
    """An RSA private key in PKCS#8 (WeChat's apiclient_key.pem, Alipay's "应用私钥" for Java) or PKCS#1."""
    for kind in ("PRIVATE KEY", "RSA PRIVATE KEY"):
        try:
            key = serialization.load_pem_private_key(_pem(text, kind), password=None)
        except (ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPrivateKey):
            return key
    raise ProviderError(_("The private key is not an RSA private key in PEM form."))


def public_key(text: str) -> rsa.RSAPublicKey:
    """An RSA public key, or the public key of an X.509 certificate (WeChat's platform certificate)."""
    raw = (text or "").strip()
    if "BEGIN CERTIFICATE" in raw:
        try:
            key = x509.load_pem_x509_certificate(_pem(raw, "CERTIFICATE")).public_key()
        except ValueError:
            key = None
    else:
        try:
            key = serialization.load_pem_public_key(_pem(raw, "PUBLIC KEY"))
        except (ValueError, TypeError):
            key = None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ProviderError(_("The provider's public key is not an RSA public key or certificate in PEM form."))
    return key


def sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def call(method: str, url: str, *, body: bytes | None = None, headers: dict,
         timeout: float = TIMEOUT) -> tuple[int, dict, bytes]:
    """(status, headers with lower-case names, body). No answer at all is a retryable ProviderError."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read(ANSWER_MAX)
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in (error.headers or {}).items()}, error.read(ANSWER_MAX)
    except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, DNS, a broken answer
        reason = str(getattr(error, "reason", None) or error)[:120]
        raise ProviderError(_("The payment provider did not answer (%(reason)s).") % {"reason": reason},
                            retryable=True) from None


def cny_only(currency: str) -> None:
    if (currency or "").upper() != "CNY":
        raise ProviderError(_("This provider takes payments in CNY only, not %(currency)s.")
                            % {"currency": currency or "-"})


def fen(amount: Decimal) -> int:
    """Yuan to fen (分), the integer WeChat Pay counts in; refuses what is not a positive whole number of fen."""
    try:
        value = Decimal(amount)
        cents = value * 100
        if not value.is_finite() or cents != cents.to_integral_value() or cents <= 0:
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        raise ProviderError(_("The amount must be positive with at most two decimals.")) from None
    return int(cents)


def yuan(amount: Decimal) -> str:
    """Yuan as Alipay writes them: a string with two decimals ("88.00")."""
    return f"{Decimal(fen(amount)) / 100:.2f}"


def from_fen(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def reference(key: str, *, pattern: str, size: int, prefix: str) -> str:
    """A merchant number (out_trade_no, out_refund_no, out_request_no) from our idempotency key: the key itself when
    the provider accepts it, else a digest of it. Always the same for the same key, so a repeat is the same order
    at the provider (its own duplicate check is the idempotency)."""
    if re.fullmatch(pattern, key or ""):
        return key
    return prefix + hashlib.sha256((key or "").encode()).hexdigest()[:size - len(prefix)]


def header(headers: dict, name: str) -> str:
    """A request header by its HTTP name from a plain mapping (any case) or Django's META (HTTP_WECHATPAY_...)."""
    wanted = name.lower()
    meta = "http_" + wanted.replace("-", "_")
    for key, value in (headers or {}).items():
        if str(key).lower() in (wanted, meta):
            return str(value)
    return ""
