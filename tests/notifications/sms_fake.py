"""A fake Aliyun SMS endpoint on 127.0.0.1: checks each request's signature (its own implementation of Aliyun's RPC
signature, nothing of the adapter's) and records the messages it accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote


def _pct(text: str) -> str:
    return quote(text, safe="~").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def expected_signature(params: dict, secret: str) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in pairs)
    to_sign = "POST&%2F&" + _pct(query)
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class AliyunSmsFake:
    def __init__(self, *, key_id: str = "LTAI-test", secret: str = "s3cret"):  # noqa: S107 (a fake)
        self.key_id, self.secret = key_id, secret
        self.messages: list[dict] = []
        self.rejected: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                if params.get("AccessKeyId") != fake.key_id:
                    answer = {"Code": "InvalidAccessKeyId.NotFound"}
                elif params.get("Signature") != expected_signature(params, fake.secret):
                    answer = {"Code": "SignatureDoesNotMatch"}
                else:
                    fake.messages.append({"to": params["PhoneNumbers"], "sign": params["SignName"],
                                          "template": params["TemplateCode"],
                                          "text": json.loads(params["TemplateParam"])["text"]})
                    answer = {"Code": "OK", "BizId": str(len(fake.messages))}
                if answer["Code"] != "OK":
                    fake.rejected.append(answer["Code"])
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def settings(self, *, secret: str | None = None) -> dict:
        return {"provider": "aliyun", "endpoint": self.url, "access_key_id": self.key_id,
                "access_key_secret": secret or self.secret, "sign_name": "品牌", "template_code": "SMS_1"}
