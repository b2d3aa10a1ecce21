"""WeChat Pay, API v3, direct merchant (直连商户): Native pay (a code to scan) and H5 pay (a page in the phone's
browser), the order query, refunds, and the payment notification.

Signing, as WeChat Pay documents it, done here with `cryptography` rather than the `wechatpayv3` package: that
package fixes the gateway in a private attribute (`Core._gate_way`), so it cannot be pointed at a local fake or a
proxy without reaching into it; in certificate mode its constructor downloads certificates from the real host; it
raises bare `Exception` for every failure (bad signature, unknown algorithm), which we would have to catch blindly;
and it does not refuse stale notifications. What we need is forty lines:
- every request carries `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",signature="..",
  timestamp="..",serial_no=".."`, the signature SHA256withRSA by the merchant's API key (apiclient_key.pem) over
  "METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n" (serial_no: the merchant certificate's serial);
- answers and notifications carry Wechatpay-Timestamp/-Nonce/-Signature/-Serial: SHA256withRSA by WeChat Pay's
  platform key over "TIMESTAMP\\nNONCE\\nBODY\\n", checked with the platform certificate or WeChat Pay public key
  the brand pasted (a Wechatpay-Serial that is not that one is refused); a timestamp more than 5 minutes from now is
  refused (a replay);
- a notification's `resource` is AEAD_AES_256_GCM encrypted with the APIv3 key (32 bytes), its nonce and
  associated_data beside it.

Amounts are fen (integers), CNY only. Our idempotency key is the out_trade_no (or its digest when WeChat's
6-32 characters of [0-9A-Za-z_-|*] do not hold it): a repeated create is the same order at WeChat Pay. A refund's
out_refund_no likewise comes from the refund's idempotency key.

What WeChat Pay does not tell: the order query says REFUND (转入退款) after any refund, partial or whole, and API v3
has no list of an order's refunds for a direct merchant, so `fetch_status` reports it as `partially_refunded`
without an amount; the caller's own refund rows know the sum. WeChat Pay notifies successful payments only: a payer
who gives up leaves the order NOTPAY (pending), a bank refusal makes it PAYERROR (failed); `fetch_status` sees both.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
from decimal import Decimal
from urllib.parse import quote, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.finance.payments import wire
from tenant_apps.finance.payments.base import Checkout, ProviderError, ProviderEvent, WebhookRefused

API_BASE = "https://api.mch.weixin.qq.com"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
TOLERANCE = 300  # seconds: a notification or answer signed further from now is refused
TRADE_NO = r"[0-9A-Za-z_\-|*]{6,32}"
REFUND_NO = r"[0-9A-Za-z_\-|*@]{1,64}"

CREDENTIAL_FIELDS = [
    ("mchid", gettext_lazy("Merchant ID (mchid)"), False),
    ("appid", gettext_lazy("AppID bound to the merchant"), False),
    ("serial_no", gettext_lazy("Merchant API certificate serial number"), False),
    ("private_key", gettext_lazy("Merchant API private key (apiclient_key.pem)"), True),
    ("apiv3_key", gettext_lazy("APIv3 key"), True),
    ("platform_serial", gettext_lazy("WeChat Pay public key ID or platform certificate serial number"), False),
    ("platform_public_key", gettext_lazy("WeChat Pay public key or platform certificate (PEM)"), False),
]

# trade_state -> our status
STATES = {"SUCCESS": "succeeded", "REFUND": "partially_refunded", "NOTPAY": "pending", "USERPAYING": "pending",
          "CLOSED": "failed", "REVOKED": "failed", "PAYERROR": "failed"}
RETRYABLE = {"SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "BANK_ERROR"}
# API v3: a 2xx is the acknowledgement; WeChat Pay's documents show this body with it
WEBHOOK_ACK = ('{"code":"SUCCESS","message":"成功"}', "application/json")
H5_ORIGIN = "https://wx.tenpay.com"  # where an h5_url opens
# a declined or unpaid order is not notified: the payer's return page asks (finance.payments.views)
POLL_ON_RETURN = True


def build(credentials: dict) -> WeChatPay:
    return WeChatPay(credentials)


def api_base(credentials: dict) -> str:
    """`api_base` given in code (the adapter's tests), else settings.WECHATPAY_API_BASE (the local fake in tests and
    development, for every brand), else WeChat Pay's API."""
    return str(credentials.get("api_base") or getattr(settings, "WECHATPAY_API_BASE", "") or API_BASE).rstrip("/")


def hosted_origins() -> list[str]:
    """The origins the payer's browser is sent to (the H5 page), for our pages' CSP form-action."""
    fake = getattr(settings, "WECHATPAY_API_BASE", "")
    if fake:
        parts = urlsplit(fake)
        return [H5_ORIGIN, f"{parts.scheme}://{parts.netloc}"]
    return [H5_ORIGIN]


class WeChatPay:
    code = "wechatpay"

    def __init__(self, credentials: dict, *, timeout: float = wire.TIMEOUT):
        missing = [name for name, _label, _secret in CREDENTIAL_FIELDS if not str(credentials.get(name) or "").strip()]
        if missing:
            raise ProviderError(_("WeChat Pay is not fully set up: %(fields)s missing.")
                                % {"fields": ", ".join(missing)})
        self.mchid = str(credentials["mchid"]).strip()
        self.appid = str(credentials["appid"]).strip()
        self.serial_no = str(credentials["serial_no"]).strip()
        self.platform_serial = str(credentials["platform_serial"]).strip()
        self.key = wire.private_key(credentials["private_key"])
        self.platform_key = wire.public_key(credentials["platform_public_key"])
        apiv3 = str(credentials["apiv3_key"]).strip().encode()
        if len(apiv3) != 32:
            raise ProviderError(_("The APIv3 key must be 32 characters."))
        self.aead = AESGCM(apiv3)
        self.base = api_base(credentials)
        self.timeout = timeout

    # --- the wire ---------------------------------------------------------------------------------------------
    def authorization(self, method: str, url: str, body: str, *, timestamp: int | None = None,
                      nonce: str | None = None) -> str:
        """The Authorization header of a request to `url` (its path and query are what is signed)."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        timestamp = int(time.time()) if timestamp is None else timestamp
        nonce = nonce or secrets.token_hex(16).upper()
        signature = wire.sign(self.key, f"{method}\n{target}\n{timestamp}\n{nonce}\n{body}\n".encode())
        return (f'{SIGNATURE_TYPE} mchid="{self.mchid}",nonce_str="{nonce}",signature="{signature}",'
                f'timestamp="{timestamp}",serial_no="{self.serial_no}"')

    def _signed_by_wechat(self, headers: dict, body: bytes) -> bool:
        timestamp = wire.header(headers, "Wechatpay-Timestamp")
        nonce = wire.header(headers, "Wechatpay-Nonce")
        signature = wire.header(headers, "Wechatpay-Signature")
        if wire.header(headers, "Wechatpay-Serial") != self.platform_serial or not (timestamp and nonce and signature):
            return False
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE:
            return False
        return wire.verify(self.platform_key, timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n",
                           signature)

    def _request(self, method: str, path: str, payload: dict | None = None) -> dict:
        url = self.base + path
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
        headers = {"Accept": "application/json", "Content-Type": "application/json",
                   "Authorization": self.authorization(method, url, body), "User-Agent": "dms-finance/1"}
        status, answer_headers, raw = wire.call(method, url, body=body.encode() if payload is not None else None,
                                                headers=headers, timeout=self.timeout)
        try:
            answer = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            answer = None
        if 200 <= status < 300:
            if not self._signed_by_wechat(answer_headers, raw):
                raise ProviderError(_("WeChat Pay's answer is not signed by WeChat Pay's key; nothing was taken."))
            if not isinstance(answer, dict):
                raise ProviderError(_("WeChat Pay answered something that is not JSON."), retryable=True)
            return answer
        code = answer.get("code", "") if isinstance(answer, dict) else ""
        message = answer.get("message", "") if isinstance(answer, dict) else ""
        detail = f"{code}: {message}" if code and message else (message or code or f"HTTP {status}")
        raise ProviderError(_("WeChat Pay refused: %(detail)s") % {"detail": detail[:300]},
                            retryable=status >= 500 or status == 429 or code in RETRYABLE)

    # --- the adapter ------------------------------------------------------------------------------------------
    def create(self, *, amount: Decimal, currency: str, description: str, idempotency_key: str,
               return_url: str, notify_url: str, method: str = "") -> Checkout:
        """`method`: "native" (default: a code_url to show as a QR code) or "h5" (a page to open in the phone's
        browser; "h5:<payer ip>" passes the payer's IP, which WeChat Pay checks against the browser's)."""
        wire.cny_only(currency)
        kind, _sep, payer_ip = (method or "native").partition(":")
        if kind not in ("native", "h5"):
            raise ProviderError(_("WeChat Pay offers native (QR code) and h5 payments, not %(method)s.")
                                % {"method": kind})
        out_trade_no = wire.reference(idempotency_key, pattern=TRADE_NO, size=32, prefix="D")
        payload = {"appid": self.appid, "mchid": self.mchid, "description": (description or "-")[:127],
                   "out_trade_no": out_trade_no, "notify_url": notify_url,
                   "amount": {"total": wire.fen(amount), "currency": "CNY"}}
        if kind == "h5":
            payload["scene_info"] = {"payer_client_ip": payer_ip or "127.0.0.1", "h5_info": {"type": "Wap"}}
            answer = self._request("POST", "/v3/pay/transactions/h5", payload)
            h5_url = answer.get("h5_url")
            if not isinstance(h5_url, str) or not h5_url:
                raise ProviderError(_("WeChat Pay answered without a payment page."))
            # after paying or giving up, WeChat sends the payer to redirect_url (appended by the merchant)
            joiner = "&" if "?" in h5_url else "?"
            redirect = f"{h5_url}{joiner}redirect_url={quote(return_url, safe='')}" if return_url else h5_url
            return Checkout(provider_ref=out_trade_no, redirect_url=redirect)
        answer = self._request("POST", "/v3/pay/transactions/native", payload)
        code_url = answer.get("code_url")
        if not isinstance(code_url, str) or not code_url:
            raise ProviderError(_("WeChat Pay answered without a code to scan."))
        return Checkout(provider_ref=out_trade_no, qr_code=code_url)

    def _order(self, provider_ref: str) -> dict:
        return self._request("GET", f"/v3/pay/transactions/out-trade-no/{quote(provider_ref, safe='')}"
                                    f"?mchid={quote(self.mchid, safe='')}")

    def fetch_status(self, *, provider_ref: str) -> ProviderEvent:
        order = self._order(provider_ref)
        state = order.get("trade_state", "")
        if state not in STATES:
            raise ProviderError(_("WeChat Pay answered an unknown order state (%(state)s).") % {"state": state[:40]})
        return ProviderEvent(event_id=f"query:{provider_ref}:{state}", provider_ref=provider_ref,
                             status=STATES[state], raw=order)

    def refund(self, *, provider_ref: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        wire.cny_only(currency)
        refund = wire.fen(amount)
        order = self._order(provider_ref)
        total = (order.get("amount") or {}).get("total")
        if not isinstance(total, int):
            raise ProviderError(_("WeChat Pay did not say the order's amount; nothing was refunded."))
        payload = {"out_trade_no": provider_ref,
                   "out_refund_no": wire.reference(idempotency_key, pattern=REFUND_NO, size=64, prefix="R"),
                   "amount": {"refund": refund, "total": total, "currency": "CNY"}}
        answer = self._request("POST", "/v3/refund/domestic/refunds", payload)
        if answer.get("status") in ("CLOSED", "ABNORMAL"):
            raise ProviderError(_("WeChat Pay could not return the money (refund %(status)s).")
                                % {"status": answer["status"]})
        refund_id = answer.get("refund_id")
        if not isinstance(refund_id, str) or not refund_id:
            raise ProviderError(_("WeChat Pay answered without a refund number."))
        return refund_id

    def verify_webhook(self, *, headers: dict, body: bytes) -> ProviderEvent:
        """A notification: signed by WeChat Pay's key within 5 minutes, its resource decrypted with the APIv3 key.
        event_id is the notification's id, the same each time WeChat Pay sends it again."""
        if wire.header(headers, "Wechatpay-Signature").startswith("WECHATPAY/SIGNTEST/"):
            # WeChat Pay probes merchants with a signature that must fail to verify
            raise WebhookRefused(_("The notification is a signature probe."))
        if not self._signed_by_wechat(headers, body):
            raise WebhookRefused(_("The notification's signature, serial number or timestamp does not verify."))
        try:
            notice = json.loads(body.decode("utf-8"))
            resource = notice["resource"]
            if notice.get("resource_type") != "encrypt-resource" or resource.get("algorithm") != "AEAD_AES_256_GCM":
                raise WebhookRefused(_("The notification's resource is not AEAD_AES_256_GCM encrypted."))
            plain = self.aead.decrypt(resource["nonce"].encode(), base64.b64decode(resource["ciphertext"]),
                                      (resource.get("associated_data") or "").encode())
            data = json.loads(plain.decode("utf-8"))
            event_id, event_type = str(notice["id"]), str(notice.get("event_type", ""))
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, binascii.Error, InvalidTag):
            raise WebhookRefused(_("The notification or its resource cannot be read or decrypted.")) from None
        if not isinstance(data, dict) or data.get("mchid", self.mchid) != self.mchid:
            raise WebhookRefused(_("The notification is for another merchant."))
        provider_ref = str(data.get("out_trade_no") or "")
        if not re.fullmatch(TRADE_NO, provider_ref):
            raise WebhookRefused(_("The notification has no out_trade_no."))
        if event_type.startswith("REFUND."):
            # one refund's own amounts: not the order's refunded sum (the caller's refund rows hold that)
            return ProviderEvent(event_id=event_id, provider_ref=provider_ref, status="partially_refunded",
                                 raw={"event_type": event_type, **data})
        status = STATES.get(str(data.get("trade_state") or ""), "pending")
        return ProviderEvent(event_id=event_id, provider_ref=provider_ref, status=status,
                             raw={"event_type": event_type, **data})
