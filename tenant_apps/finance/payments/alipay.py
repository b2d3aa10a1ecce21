"""Alipay, direct (支付宝开放平台, public-key mode): computer-site pay (alipay.trade.page.pay) and phone-site pay
(alipay.trade.wap.pay), both a signed link to Alipay's cashier; face-to-face precreate (alipay.trade.precreate, a
code to scan); the query (alipay.trade.query); refunds (alipay.trade.refund); the asynchronous notification.

Signing, as Alipay documents it, done here with `cryptography` rather than the `python-alipay-sdk` package: that
package fixes the gateway by its `debug` flag in a private attribute (`_gateway`), so it cannot be pointed at a
local fake or a proxy without reaching into it, and it brings a second crypto stack (pycryptodomex, and pyOpenSSL,
whose releases pin narrow ranges of `cryptography`, which we lock at 50). What we need is short:
- a request is the common parameters (app_id, method, format, charset, sign_type=RSA2, timestamp in Beijing time,
  version 1.0, notify_url/return_url) and biz_content (JSON); the signature is SHA256withRSA by the app's private key
  over every non-empty parameter but `sign`, sorted by name, as "k=v&k=v" (values not URL-encoded), base64;
- an answer is {"<method with _>_response": {...}, "sign": "..."}: the signature covers the exact text of the
  response object, checked with Alipay's public key (an answer with code 10000 and no valid signature is refused);
- a notification is a form POST; the signature covers its parameters but `sign` and `sign_type`, sorted, the same
  way; notify_id is the event id (the same when Alipay sends it again).

Amounts are yuan strings with two decimals, CNY only. Our idempotency key is the out_trade_no (or its digest when
Alipay's 64 letters, digits and underscores do not hold it); a refund's out_request_no comes from its key likewise,
so a repeat is the same refund at Alipay (fund_change "N").

What Alipay does not tell: the query has no refunded sum. A whole refund closes the trade (TRADE_CLOSED after a
payment: `refunded`); after a partial one the trade stays TRADE_SUCCESS (`succeeded` from the query), while the
notification Alipay sends for each refund carries refund_fee, the sum refunded so far (`partially_refunded`).
Page/wap pay make the trade only when the payer opens the cashier: until then the query answers
ACQ.TRADE_NOT_EXIST, which is `pending` here.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.finance.payments import wire
from tenant_apps.finance.payments.base import Checkout, CredentialField, ProviderError, ProviderEvent, WebhookRefused

GATEWAY = "https://openapi.alipay.com/gateway.do"
SANDBOX_GATEWAY = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
BEIJING = timezone(timedelta(hours=8))
TRADE_NO = r"[0-9A-Za-z_]{1,64}"
REQUEST_NO = r"[0-9A-Za-z_]{1,64}"
SUCCESS = "10000"

CREDENTIAL_FIELDS = [
    ("app_id", gettext_lazy("Alipay app ID (APPID)"), False),
    ("app_private_key", gettext_lazy("App private key (RSA2)"), True),
    ("alipay_public_key", gettext_lazy("Alipay public key"), False),
    CredentialField("sandbox", gettext_lazy("Alipay sandbox (test) account"), required=False, checkbox=True),
]
# Alipay sends its notification again until our endpoint answers exactly this
WEBHOOK_ACK = ("success", "text/plain; charset=utf-8")

METHODS = {  # our method -> (Alipay API, product_code)
    "page": ("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
    "wap": ("alipay.trade.wap.pay", "QUICK_WAP_WAY"),
    "qr": ("alipay.trade.precreate", ""),
}
RETRYABLE = {"20000", "ACQ.SYSTEM_ERROR", "aop.ACQ.SYSTEM_ERROR", "isp.unknow-error"}


class AlipayRefused(ProviderError):
    """Alipay answered with a code other than 10000; `sub_code` is its business code (ACQ.TRADE_NOT_EXIST, ...)."""

    def __init__(self, message: str, *, sub_code: str, retryable: bool):
        super().__init__(message, retryable=retryable)
        self.sub_code = sub_code


def build(credentials: dict) -> Alipay:
    return Alipay(credentials)


def gateway(credentials: dict) -> str:
    """Where the calls go: `api_base` given in code (the adapter's tests), else settings.ALIPAY_GATEWAY (the local
    fake in tests and development, for every brand), else Alipay's gateway or its sandbox's by the brand's flag."""
    return str(credentials.get("api_base") or getattr(settings, "ALIPAY_GATEWAY", "")
               or (SANDBOX_GATEWAY if _flag(credentials.get("sandbox")) else GATEWAY))


def hosted_origins() -> list[str]:
    """The origins the payer's browser is sent to (its cashier), for our pages' CSP form-action."""
    origins = []
    for url in (getattr(settings, "ALIPAY_GATEWAY", "") or GATEWAY, SANDBOX_GATEWAY):
        parts = urlsplit(url)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class Alipay:
    code = "alipay"

    def __init__(self, credentials: dict, *, timeout: float = wire.TIMEOUT):
        missing = [name for name in ("app_id", "app_private_key", "alipay_public_key")
                   if not str(credentials.get(name) or "").strip()]
        if missing:
            raise ProviderError(_("Alipay is not fully set up: %(fields)s missing.") % {"fields": ", ".join(missing)})
        self.app_id = str(credentials["app_id"]).strip()
        self.key = wire.private_key(credentials["app_private_key"])
        self.alipay_key = wire.public_key(credentials["alipay_public_key"])
        self.gateway = gateway(credentials)
        self.timeout = timeout

    # --- the wire ---------------------------------------------------------------------------------------------
    @staticmethod
    def content(params: dict, *, leave: tuple[str, ...] = ("sign",), empty: bool = False) -> bytes:
        """What is signed: the parameters but `leave`, sorted by name, "k=v" joined by "&". A request leaves out
        empty values; a notification is checked over all it carries but sign and sign_type (`empty=True`), as
        Alipay's own SDKs do."""
        return "&".join(f"{k}={params[k]}" for k in sorted(params)
                        if k not in leave and (empty or params[k] != "")).encode()

    def signed(self, method: str, biz: dict, **extra: str) -> dict:
        params = {"app_id": self.app_id, "method": method, "format": "JSON", "charset": "utf-8", "sign_type": "RSA2",
                  "timestamp": datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S"), "version": "1.0",
                  "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":"))}
        params.update({k: v for k, v in extra.items() if v})
        params["sign"] = wire.sign(self.key, self.content(params))
        return params

    def _request(self, method: str, biz: dict, **extra: str) -> dict:
        """The response object of a gateway call (code 10000), or ProviderError with Alipay's words."""
        body = urlencode(self.signed(method, biz, **extra)).encode()
        url = f"{self.gateway}{'&' if '?' in self.gateway else '?'}charset=utf-8"
        status, _headers, raw = wire.call("POST", url, body=body, timeout=self.timeout,
                                          headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8",
                                                   "Accept": "application/json"})
        if status >= 500:
            raise ProviderError(_("Alipay could not answer now (HTTP %(status)s).") % {"status": status},
                                retryable=True)
        text = raw.decode("utf-8", "replace")
        node, node_text = self._node(text, method.replace(".", "_") + "_response")
        if node is None:
            node, node_text = self._node(text, "error_response")
        if not isinstance(node, dict):
            raise ProviderError(_("Alipay answered something that is not its JSON (HTTP %(status)s).")
                                % {"status": status}, retryable=True)
        code = str(node.get("code", ""))
        if code != SUCCESS:
            sub_code, detail = str(node.get("sub_code", "")), node.get("sub_msg") or node.get("msg") or code
            raise AlipayRefused(_("Alipay refused: %(detail)s") % {"detail": f"{sub_code or code}: {detail}"[:300]},
                                sub_code=sub_code, retryable=code in RETRYABLE or sub_code in RETRYABLE)
        try:
            answer = json.loads(text)
        except ValueError:
            answer = {}
        if not isinstance(answer, dict) or not wire.verify(self.alipay_key, node_text.encode(),
                                                           str(answer.get("sign") or "")):
            raise ProviderError(_("Alipay's answer is not signed by Alipay's key; nothing was taken."))
        return node

    @staticmethod
    def _node(text: str, name: str) -> tuple[dict | None, str]:
        """The response object under `name` and its exact text (what Alipay signed)."""
        found = re.search(r'"' + re.escape(name) + r'"\s*:\s*', text)
        if not found:
            return None, ""
        try:
            node, end = json.JSONDecoder().raw_decode(text, found.end())
        except ValueError:
            return None, ""
        return (node, text[found.end():end]) if isinstance(node, dict) else (None, "")

    # --- the adapter ------------------------------------------------------------------------------------------
    def create(self, *, amount: Decimal, currency: str, description: str, idempotency_key: str,
               return_url: str, notify_url: str, method: str = "") -> Checkout:
        """`method`: "page" (default: Alipay's cashier on a computer), "wap" (on a phone's browser) or "qr" (a code
        to scan with the Alipay app)."""
        wire.cny_only(currency)
        kind = method or "page"
        if kind not in METHODS:
            raise ProviderError(_("Alipay offers page, wap and qr payments, not %(method)s.") % {"method": kind})
        api, product = METHODS[kind]
        out_trade_no = wire.reference(idempotency_key, pattern=TRADE_NO, size=64, prefix="D")
        biz = {"out_trade_no": out_trade_no, "total_amount": wire.yuan(amount), "subject": (description or "-")[:256]}
        if product:
            biz["product_code"] = product
            if kind == "wap" and return_url:
                biz["quit_url"] = return_url
            # the cashier is opened by the payer's browser: the signed parameters are the link
            query = urlencode(self.signed(api, biz, notify_url=notify_url, return_url=return_url))
            link = f"{self.gateway}{'&' if '?' in self.gateway else '?'}{query}"
            return Checkout(provider_ref=out_trade_no, redirect_url=link)
        answer = self._request(api, biz, notify_url=notify_url)
        qr_code = answer.get("qr_code")
        if not isinstance(qr_code, str) or not qr_code:
            raise ProviderError(_("Alipay answered without a code to scan."))
        return Checkout(provider_ref=out_trade_no, qr_code=qr_code)

    def fetch_status(self, *, provider_ref: str) -> ProviderEvent:
        try:
            trade = self._request("alipay.trade.query", {"out_trade_no": provider_ref})
        except AlipayRefused as error:
            if error.sub_code == "ACQ.TRADE_NOT_EXIST":  # the cashier not opened yet
                return ProviderEvent(event_id=f"query:{provider_ref}:NOT_EXIST", provider_ref=provider_ref,
                                     status="pending", raw={"sub_code": "ACQ.TRADE_NOT_EXIST"})
            raise
        state = str(trade.get("trade_status", ""))
        if state == "WAIT_BUYER_PAY":
            status = "pending"
        elif state in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            status = "succeeded"
        elif state == "TRADE_CLOSED":
            status = "refunded" if trade.get("send_pay_date") else "failed"  # paid, then all of it returned
        else:
            raise ProviderError(_("Alipay answered an unknown trade state (%(state)s).") % {"state": state[:40]})
        return ProviderEvent(event_id=f"query:{provider_ref}:{state}", provider_ref=provider_ref, status=status,
                             raw=trade)

    def refund(self, *, provider_ref: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        """Returns the out_request_no (Alipay numbers no refund of its own)."""
        wire.cny_only(currency)
        request_no = wire.reference(idempotency_key, pattern=REQUEST_NO, size=64, prefix="R")
        self._request("alipay.trade.refund", {"out_trade_no": provider_ref, "refund_amount": wire.yuan(amount),
                                              "out_request_no": request_no})
        return request_no

    def verify_webhook(self, *, headers: dict, body: bytes) -> ProviderEvent:
        """The asynchronous notification (a form POST), signed by Alipay's key over its parameters but sign and
        sign_type; for this app. Answer "success" to it, or Alipay sends it again (same notify_id)."""
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise WebhookRefused(_("The notification is not a form.")) from None
        params = dict(pairs)
        if len(params) != len(pairs):
            raise WebhookRefused(_("The notification gives a parameter twice."))
        if params.get("sign_type", "RSA2") != "RSA2" or not wire.verify(
                self.alipay_key, self.content(params, leave=("sign", "sign_type"), empty=True),
                params.get("sign", "")):
            raise WebhookRefused(_("The notification's signature does not verify."))
        if params.get("app_id") != self.app_id:
            raise WebhookRefused(_("The notification is for another app."))
        notify_id, provider_ref = params.get("notify_id", ""), params.get("out_trade_no", "")
        if not notify_id or not re.fullmatch(TRADE_NO, provider_ref):
            raise WebhookRefused(_("The notification has no notify_id or out_trade_no."))
        try:
            refunded = Decimal(params["refund_fee"]) if params.get("refund_fee") else None
        except InvalidOperation:
            raise WebhookRefused(_("The notification's refund_fee is not an amount.")) from None
        state = params.get("trade_status", "")
        if state == "TRADE_CLOSED":
            status = "refunded" if params.get("gmt_payment") or refunded else "failed"
        elif state in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            status = "partially_refunded" if refunded else "succeeded"
        elif state == "WAIT_BUYER_PAY":
            status = "pending"
        else:
            raise WebhookRefused(_("The notification has an unknown trade_status."))
        return ProviderEvent(event_id=notify_id, provider_ref=provider_ref, status=status, amount_refunded=refunded,
                             raw=params)
