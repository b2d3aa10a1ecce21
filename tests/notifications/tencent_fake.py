"""A fake Tencent Cloud SMS endpoint (API 2021-01-11 SendSms) on 127.0.0.1: it checks each request's
TC3-HMAC-SHA256 signature (its own implementation, nothing of the adapter's), answers like the real API and records
the messages it accepted. Knobs: `error` (a request-level Error code for the next answers), `status` (a per-number
SendStatus code), `delay` (seconds it hangs before dropping the connection, sending nothing: a timeout for the
adapter)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def expected_authorization(*, secret_id: str, secret_key: str, headers: dict, body: bytes) -> str:
    timestamp = int(headers["x-tc-timestamp"])
    date = datetime.fromtimestamp(timestamp, tz=UTC).date().isoformat()
    signed = ["content-type", "host"]
    canonical_headers = "".join(f"{name}:{headers[name].strip().lower()}\n" for name in signed)
    canonical_request = "POST\n/\n\n" + canonical_headers + "\n" + ";".join(signed) + "\n" + \
        hashlib.sha256(body).hexdigest()
    scope = f"{date}/sms/tc3_request"
    string_to_sign = "\n".join(("TC3-HMAC-SHA256", str(timestamp), scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()))
    signing_key = _sign(_sign(_sign(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={';'.join(signed)}, Signature={signature}"


class TencentSmsFake:
    def __init__(self, *, secret_id: str = "AKID-test", secret_key: str = "tc-s3cret",  # noqa: S107 (a fake)
                 sdk_app_id: str = "1400000001"):
        self.secret_id, self.secret_key, self.sdk_app_id = secret_id, secret_key, sdk_app_id
        self.messages: list[dict] = []
        self.rejected: list[str] = []
        self.requests = 0
        self.error = ""
        self.status = "Ok"
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 (http.server's name)
                fake.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {key.lower(): value for key, value in self.headers.items()}
                if fake.delay:  # hangs, then drops the connection without taking the message
                    time.sleep(fake.delay)
                    return
                answer = fake.answer(headers, body)
                data = json.dumps({"Response": answer}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, headers: dict, body: bytes) -> dict:
        request_id = f"req-{self.requests}"

        def error(code, message=""):
            self.rejected.append(code)
            return {"Error": {"Code": code, "Message": message}, "RequestId": request_id}

        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
            return error("InvalidAction")
        if f"Credential={self.secret_id}/" not in headers.get("authorization", ""):
            return error("AuthFailure.SecretIdNotFound")
        if headers.get("authorization") != expected_authorization(secret_id=self.secret_id,
                                                                  secret_key=self.secret_key,
                                                                  headers=headers, body=body):
            return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        if abs(time.time() - int(headers["x-tc-timestamp"])) > 300:
            return error("AuthFailure.SignatureExpire")
        if self.error:
            return error(self.error, "refused by the fake")
        params = json.loads(body)
        if params.get("SmsSdkAppId") != self.sdk_app_id:
            return error("InvalidParameterValue.SdkAppIdNotExist")
        number = params["PhoneNumberSet"][0]
        if self.status != "Ok":
            self.rejected.append(self.status)
            return {"SendStatusSet": [{"SerialNo": "", "PhoneNumber": number, "Fee": 0, "Code": self.status,
                                       "Message": "refused by the fake", "IsoCode": "CN"}], "RequestId": request_id}
        self.messages.append({"to": number, "sign": params["SignName"], "template": params["TemplateId"],
                              "params": params["TemplateParamSet"], "region": headers.get("x-tc-region")})
        return {"SendStatusSet": [{"SerialNo": f"serial-{len(self.messages)}", "PhoneNumber": number, "Fee": 1,
                                   "Code": "Ok", "Message": "send success", "IsoCode": "CN"}],
                "RequestId": request_id}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def settings(self, *, secret: str | None = None, **extra) -> dict:
        return {"provider": "tencent", "endpoint": self.url, "access_key_id": self.secret_id,
                "access_key_secret": secret or self.secret_key, "sign_name": "品牌", "template_code": "100001",
                "sdk_app_id": self.sdk_app_id, "region": "ap-shanghai", **extra}
