"""SMS adapters. Each sends one text to one mobile number, or raises SmsError (final when the provider's answer
says a retry cannot help). The endpoint comes from settings (NOTIFICATIONS_SMS), so tests point it at a local fake
on loopback that checks the signature.

NOTIFICATIONS_SMS = {"provider": "aliyun" | "tencent", "endpoint": "https://dysmsapi.aliyuncs.com/",
                     "access_key_id": "...", "access_key_secret": "...", "sign_name": "...",
                     "template_code": "SMS_123",  # the template takes one parameter: Aliyun ${text}, Tencent {1}
                     "templates": {"order.shipped": "SMS_456"},  # optional, per event kind (else template_code)
                     "sdk_app_id": "1400...", "region": "ap-guangzhou",  # Tencent only
                     "timeout": 10}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings

from tenant_apps.notifications.channels.registry import SendError

TENCENT_ENDPOINT = "https://sms.tencentcloudapi.com/"


class SmsError(SendError):
    pass


def _template(config: dict, kind: str) -> str:
    return str((config.get("templates") or {}).get(kind) or config.get("template_code") or "")


def _timeout(config: dict) -> float:
    return float(config.get("timeout") or 10)


def _enc(value: str) -> str:
    return quote(str(value), safe="-_.~")


def aliyun_signature(params: dict, secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature (v1): HMAC-SHA1 over METHOD&%2F&<percent-encoded sorted query>, key secret + "&"."""
    canonical = "&".join(f"{_enc(k)}={_enc(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{_enc('/')}&{_enc(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    def __init__(self, config: dict):
        self.config = config

    def send(self, *, mobile: str, text: str, kind: str = "") -> str:
        c = self.config
        params = {
            "AccessKeyId": c["access_key_id"], "Action": "SendSms", "Format": "JSON", "PhoneNumbers": mobile,
            "SignName": c["sign_name"], "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0", "TemplateCode": _template(c, kind),
            "TemplateParam": json.dumps({"text": text}, ensure_ascii=False),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, c["access_key_secret"])
        body = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in params.items()).encode()
        if not str(c["endpoint"]).startswith(("https://", "http://")):
            raise SmsError("aliyun: the endpoint is not an http(s) URL")
        request = urllib.request.Request(c["endpoint"], data=body, method="POST",  # noqa: S310 (checked above)
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=_timeout(c)) as response:  # noqa: S310
                answer = json.loads(response.read(64 * 1024) or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise SmsError(f"aliyun: {error}") from error
        if answer.get("Code") != "OK":
            raise SmsError(f"aliyun: {answer.get('Code')} {answer.get('Message', '')}"[:400])
        return str(answer.get("BizId", ""))


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_authorization(*, secret_id: str, secret_key: str, service: str, host: str, content_type: str,
                      payload: bytes, timestamp: int) -> str:
    """Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) of a POST to "/" with content-type and host signed."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    headers = f"content-type:{content_type.strip().lower()}\nhost:{host.strip().lower()}\n"
    canonical = "\n".join(["POST", "/", "", headers, "content-type;host",
                           _sha256_hex(payload)])
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, _sha256_hex(canonical.encode())])
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


# Tencent error codes a retry may cure (the rest are final: a wrong number, an unapproved template or sign, ...)
TENCENT_RETRY = ("AuthFailure", "InternalError", "RequestLimitExceeded", "LimitExceeded")


class TencentSms:
    """Tencent Cloud SMS, API 2021-01-11 SendSms, signed with TC3-HMAC-SHA256."""

    service, version = "sms", "2021-01-11"

    def __init__(self, config: dict):
        self.config = config

    def send(self, *, mobile: str, text: str, kind: str = "") -> str:
        c = self.config
        endpoint = str(c.get("endpoint") or TENCENT_ENDPOINT)
        if not endpoint.startswith(("https://", "http://")):
            raise SmsError("tencent: the endpoint is not an http(s) URL")
        number = mobile if mobile.startswith("+") else f"+86{mobile}"  # E.164; a bare number is mainland China
        payload = json.dumps({"PhoneNumberSet": [number], "SmsSdkAppId": str(c.get("sdk_app_id", "")),
                              "SignName": c["sign_name"], "TemplateId": _template(c, kind),
                              "TemplateParamSet": [text]}, ensure_ascii=False).encode()
        host = urllib.parse.urlsplit(endpoint).netloc
        content_type = "application/json; charset=utf-8"
        timestamp = int(datetime.now(UTC).timestamp())
        headers = {
            "Authorization": tc3_authorization(secret_id=c["access_key_id"], secret_key=c["access_key_secret"],
                                               service=self.service, host=host, content_type=content_type,
                                               payload=payload, timestamp=timestamp),
            "Content-Type": content_type, "Host": host, "X-TC-Action": "SendSms", "X-TC-Version": self.version,
            "X-TC-Timestamp": str(timestamp), "X-TC-Region": str(c.get("region") or "ap-guangzhou"),
        }
        request = urllib.request.Request(endpoint, data=payload, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=_timeout(c)) as response:  # noqa: S310 (checked above)
                answer = json.loads(response.read(64 * 1024) or b"{}").get("Response") or {}
        except (urllib.error.URLError, OSError, ValueError, AttributeError) as error:
            raise SmsError(f"tencent: {error}") from error
        error = answer.get("Error")
        if error:
            self._fail(error.get("Code", ""), error.get("Message", ""))
        statuses = answer.get("SendStatusSet") or [{}]
        status = statuses[0]
        if status.get("Code") != "Ok":
            self._fail(status.get("Code", "") or "NoStatus", status.get("Message", ""))
        return str(status.get("SerialNo", ""))

    @staticmethod
    def _fail(code: str, message: str):
        final = not code.startswith(TENCENT_RETRY)
        raise SmsError(f"tencent: {code} {message}"[:400], final=final)


ADAPTERS = {"aliyun": AliyunSms, "tencent": TencentSms}


def sms_adapter():
    """The configured adapter, or None when SMS is not set up (SMS deliveries then fail with that reason)."""
    config = getattr(settings, "NOTIFICATIONS_SMS", None) or {}
    adapter = ADAPTERS.get(config.get("provider", ""))
    return adapter(config) if adapter else None
