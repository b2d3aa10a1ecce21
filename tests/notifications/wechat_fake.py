"""A fake of WeChat's server API on 127.0.0.1 for a mini-program: stable_token, subscribe/send and jscode2session,
answering with WeChat's error codes. It checks the app's id and secret, the access token (`expire()` makes the
issued ones answer 42001), the openid, the template, and each data value's length for its field type; it records
what it accepted. `refused`: openids that have not accepted the subscription (43101); `codes`: wx.login() codes
and the openid each gives (usable once)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "number": 32}


class WeChatFake:
    def __init__(self, *, app_id: str = "wx-test-app", secret: str = "wx-s3cret",  # noqa: S107 (a fake)
                 templates: tuple[str, ...] = ("TPL-SHIPPED", "TPL-CANCELLED")):
        self.app_id, self.secret, self.templates = app_id, secret, set(templates)
        self.messages: list[dict] = []
        self.answers: list[int] = []
        self.token_requests: list[dict] = []
        self.tokens: dict[str, str] = {}  # token -> "valid" | "expired"
        self.refused: set[str] = set()
        self.codes: dict[str, str] = {}
        self.used: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, answer: dict):
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query))
                if url.path == "/sns/jscode2session":
                    self._reply(fake.session(query))
                else:
                    self._reply({"errcode": 40066, "errmsg": "invalid url"})

            def do_POST(self):  # noqa: N802
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query))
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if url.path == "/cgi-bin/stable_token":
                    self._reply(fake.stable_token(body))
                elif url.path == "/cgi-bin/message/subscribe/send":
                    answer = fake.send(query.get("access_token", ""), body)
                    fake.answers.append(answer["errcode"])
                    self._reply(answer)
                else:
                    self._reply({"errcode": 40066, "errmsg": "invalid url"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def stable_token(self, body: dict) -> dict:
        self.token_requests.append(body)
        if body.get("grant_type") != "client_credential" or body.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if body.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = f"token-{len(self.tokens) + 1}"
        self.tokens[token] = "valid"
        return {"access_token": token, "expires_in": 7200}

    def expire(self) -> None:
        for token in self.tokens:
            self.tokens[token] = "expired"

    def send(self, token: str, body: dict) -> dict:
        state = self.tokens.get(token)
        if state is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if state == "expired":
            return {"errcode": 42001, "errmsg": "access_token expired"}
        openid = body.get("touser", "")
        if not openid.startswith("o"):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        if body.get("template_id") not in self.templates:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        for field, value in (body.get("data") or {}).items():
            limit = LIMITS.get(field.rstrip("0123456789"))
            text = str((value or {}).get("value", ""))
            if not text or (limit and len(text) > limit):
                return {"errcode": 47003, "errmsg": f"argument invalid! data.{field}.value"}
        if openid in self.refused:
            return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        self.messages.append(body)
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.messages)}

    def session(self, query: dict) -> dict:
        if query.get("appid") != self.app_id or query.get("secret") != self.secret:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        code = query.get("js_code", "")
        if code in self.used:
            return {"errcode": 40163, "errmsg": "code been used"}
        if code not in self.codes:
            return {"errcode": 40029, "errmsg": "invalid code"}
        self.used.add(code)
        return {"openid": self.codes[code], "session_key": "c2Vzc2lvbg=="}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict:
        data = {"thing1": "title", "character_string2": "ref", "thing3": "body", "time4": "time"}
        return {"app_id": self.app_id, "app_secret": self.secret, "api_base": self.url, "page": "pages/orders/index",
                "state": "developer", "timeout": 2,
                "templates": {"order.shipped": {"id": "TPL-SHIPPED", "data": data},
                              "order.cancelled": {"id": "TPL-CANCELLED", "data": data}}}
