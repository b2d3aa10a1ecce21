"""SMS adapters. Each sends one text to one mobile number, or raises SmsError. The endpoint comes from settings
(NOTIFICATIONS_SMS), so tests point it at a local fake on loopback that checks the signature.

NOTIFICATIONS_SMS = {"provider": "aliyun", "endpoint": "https://dysmsapi.aliyuncs.com/",
                     "access_key_id": "...", "access_key_secret": "...", "sign_name": "...",
                     "template_code": "SMS_123"}  # the template takes one parameter, ${text}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings


class SmsError(Exception):
    pass


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

    def send(self, *, mobile: str, text: str) -> str:
        c = self.config
        params = {
            "AccessKeyId": c["access_key_id"], "Action": "SendSms", "Format": "JSON", "PhoneNumbers": mobile,
            "SignName": c["sign_name"], "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0", "TemplateCode": c["template_code"],
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
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                answer = json.loads(response.read(64 * 1024) or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise SmsError(f"aliyun: {error}") from error
        if answer.get("Code") != "OK":
            raise SmsError(f"aliyun: {answer.get('Code')} {answer.get('Message', '')}"[:400])
        return str(answer.get("BizId", ""))


ADAPTERS = {"aliyun": AliyunSms}


def sms_adapter():
    """The configured adapter, or None when SMS is not set up (SMS deliveries then fail with that reason)."""
    config = getattr(settings, "NOTIFICATIONS_SMS", None) or {}
    adapter = ADAPTERS.get(config.get("provider", ""))
    return adapter(config) if adapter else None
