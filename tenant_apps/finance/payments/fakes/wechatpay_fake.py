"""A local fake of WeChat Pay API v3 (one direct merchant), speaking its real signing scheme, for tests and the demo.

    fake = FakeWeChatPay().start()            # a free port; `start(port)` returns the base URL (gunicorn_conf)
    adapter = wechatpay.build(fake.credentials())   # mchid, keys, APIv3 key, platform key, api_base=fake.url
    ...
    fake.stop()

Keys: the fake makes the merchant's API key pair (a real merchant makes its own and uploads the certificate; here
the fake hands the private key over in `credentials()`), WeChat Pay's platform key pair (its ID is a
"PUB_KEY_ID_..." as for the WeChat Pay public key) and the APIv3 key, all at start.

What it checks as WeChat Pay does: the Authorization header (WECHATPAY2-SHA256-RSA2048, the merchant's serial,
a timestamp within 5 minutes, SHA256withRSA over "METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n"); anything else
is 401 {"code": "SIGN_ERROR", ...}. It signs every answer and notification with the platform key
(Wechatpay-Timestamp/-Nonce/-Signature/-Serial) and encrypts notification resources with AEAD_AES_256_GCM.

Covered: POST /v3/pay/transactions/native (code_url "weixin://wxpay/bizpayurl?pr=..."), POST
/v3/pay/transactions/h5 (h5_url on the fake's host); a repeated out_trade_no with the same order gets the same
answer, with another order 400 INVALID_REQUEST, once paid 400 ORDERPAID; GET /v3/pay/transactions/out-trade-no/{no}
?mchid= (404 ORDER_NOT_EXIST); POST /v3/refund/domestic/refunds (PROCESSING, done at once; the same out_refund_no
again gets the same refund; more than is left is 400 NOT_ENOUGH) and GET /v3/refund/domestic/refunds/{no}.
Pages: /pay/<prepay id> (what the payer sees after scanning, or the H5 page): Pay marks the order SUCCESS and
notifies TRANSACTION.SUCCESS; Decline marks it PAYERROR (WeChat Pay notifies successes only); both then go to
`redirect_url` when the H5 link carried one. `page_url(code_url or h5_url)` gives the page; `/` lists orders.
In code: `fake.pay(out_trade_no)`, `fake.decline(out_trade_no)`, `resend_last()` (the same notification id, signed
anew, as WeChat Pay re-sends), `deliver()` with delivery="hold".

When written, it was checked against the `wechatpayv3` package (2.0.4, not a dependency): requests signed by its
build_authorization were accepted, and its rsa_verify and aes_decrypt read the fake's answers and notifications.
For a process (gunicorn_conf, the demo): `start(port, keys_path=...)` returns the base URL and keeps the keys in a
JSON file across restarts, so the credentials a brand entered stay valid; `running(url).credentials()`.

Not covered: JSAPI/App/mini-program pay, closing orders, refund notifications, bills, platform certificate download
(/v3/certificates), combined orders, profit sharing, the 5xx/SYSTEM_ERROR weather (set `down = True`: 500 to all).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import time
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import parse_qsl, quote, urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tenant_apps.finance.payments.fakes._server import (
    Answer,
    FakeProvider,
    Notification,
    Request,
    html,
    load_private,
    new_key,
    page,
    pay_form,
    pem_private,
    pem_public,
    redirect,
    rsa_sign,
    rsa_verify,
    saved_keys,
)

CST = timezone(timedelta(hours=8))
TRADE_NO = re.compile(r"[0-9A-Za-z_\-|*]{6,32}")
AUTH = re.compile(r'(\w+)="([^"]*)"')


def _now() -> str:
    return datetime.now(CST).isoformat(timespec="seconds")


def _error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"code": code, "message": message}


class FakeWeChatPay(FakeProvider):
    name = "wechatpay"

    def __init__(self, *, mchid: str = "1900000109", appid: str = "wxd678efh567hg6787", **options):
        super().__init__(**options)
        self.mchid, self.appid = mchid, appid
        self.merchant_key = new_key()
        self.merchant_serial = secrets.token_hex(20).upper()
        self.platform_key = new_key()
        self.platform_serial = "PUB_KEY_ID_" + "".join(secrets.choice(string.digits) for _ in range(32))
        self.apiv3_key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.down = False
        self.orders: dict[str, dict] = {}  # out_trade_no -> order
        self.prepay: dict[str, str] = {}  # prepay id -> out_trade_no
        self.refunds: dict[str, dict] = {}  # out_refund_no -> refund
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) of every API call

    def dump_keys(self) -> dict:
        return {"merchant_key": pem_private(self.merchant_key), "merchant_serial": self.merchant_serial,
                "platform_key": pem_private(self.platform_key), "platform_serial": self.platform_serial,
                "apiv3_key": self.apiv3_key}

    def load_keys(self, saved: dict) -> None:
        self.merchant_key, self.platform_key = load_private(saved["merchant_key"]), load_private(saved["platform_key"])
        self.merchant_serial, self.platform_serial = saved["merchant_serial"], saved["platform_serial"]
        self.apiv3_key = saved["apiv3_key"]

    def credentials(self) -> dict:
        return {"mchid": self.mchid, "appid": self.appid, "serial_no": self.merchant_serial,
                "private_key": pem_private(self.merchant_key), "apiv3_key": self.apiv3_key,
                "platform_serial": self.platform_serial,
                "platform_public_key": pem_public(self.platform_key.public_key()), "api_base": self.url}

    # --- signatures -------------------------------------------------------------------------------------------
    def signed_headers(self, body: bytes, *, timestamp: int | None = None) -> dict:
        timestamp = int(time.time()) if timestamp is None else timestamp
        nonce = secrets.token_hex(16)
        signature = rsa_sign(self.platform_key, f"{timestamp}\n{nonce}\n".encode() + body + b"\n")
        return {"Wechatpay-Timestamp": str(timestamp), "Wechatpay-Nonce": nonce, "Wechatpay-Signature": signature,
                "Wechatpay-Serial": self.platform_serial, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}

    def _caller(self, request: Request) -> str:
        """The reason the request's signature does not hold, or ""."""
        scheme, _sep, rest = request.headers.get("authorization", "").partition(" ")
        if scheme != "WECHATPAY2-SHA256-RSA2048":
            return "Authorization 头缺失或认证类型不正确"
        fields = dict(AUTH.findall(rest))
        if fields.get("mchid") != self.mchid or fields.get("serial_no") != self.merchant_serial:
            return "商户号或证书序列号不正确"
        timestamp = fields.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return "请求时间戳已过期"
        message = (f"{request.method}\n{request.target}\n{timestamp}\n{fields.get('nonce_str', '')}\n".encode()
                   + request.body + b"\n")
        if not rsa_verify(self.merchant_key.public_key(), message, fields.get("signature", "")):
            return "签名错误"
        return ""

    # --- HTTP -------------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Answer:
        if request.path.startswith("/v3/"):
            status, body = self._api(request)
            with self.lock:
                self.requests.append((request.method, request.path, status))
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json; charset=utf-8", "Request-ID": secrets.token_hex(12)}
            if 200 <= status < 300:
                headers.update(self.signed_headers(raw))
            return Answer(status, raw, headers)
        if request.path.startswith("/pay/"):
            return self._page(request, request.path.removeprefix("/pay/"))
        if request.path == "/_fake/sink":  # a notify_url that says SUCCESS (tests without a merchant endpoint)
            return Answer(204)
        if request.path == "/":
            rows = "".join(f"<li><a href=\"/pay/{escape(o['prepay_id'])}\">{escape(no)}</a> "
                           f"{o['amount']['total'] / 100:.2f} CNY {escape(o['trade_state'])}</li>"
                           for no, o in self.orders.items())
            return html(200, page("WeChat Pay", f"<h1>Orders</h1><ul>{rows}</ul>"))
        return Answer(404, b"not found")

    def _api(self, request: Request) -> tuple[int, dict]:
        if self.down:
            return _error(500, "SYSTEM_ERROR", "系统错误")
        problem = self._caller(request)
        if problem:
            return _error(401, "SIGN_ERROR", problem)
        try:
            payload = json.loads(request.body.decode("utf-8")) if request.body else {}
        except (UnicodeDecodeError, ValueError):
            return _error(400, "PARAM_ERROR", "请求体不是合法的JSON")
        if not isinstance(payload, dict):
            return _error(400, "PARAM_ERROR", "请求体不是合法的JSON")
        path, method = request.path, request.method
        with self.lock:
            if method == "POST" and path in ("/v3/pay/transactions/native", "/v3/pay/transactions/h5"):
                return self._order_create(payload, "NATIVE" if path.endswith("native") else "MWEB")
            if method == "GET" and path.startswith("/v3/pay/transactions/out-trade-no/"):
                if request.query.get("mchid") != self.mchid:
                    return _error(400, "PARAM_ERROR", "mchid 与请求商户号不一致")
                order = self.orders.get(path.rsplit("/", 1)[1])
                return (200, self._order_view(order)) if order else _error(404, "ORDER_NOT_EXIST", "订单不存在")
            if method == "POST" and path == "/v3/refund/domestic/refunds":
                return self._refund_create(payload)
            if method == "GET" and path.startswith("/v3/refund/domestic/refunds/"):
                refund = self.refunds.get(path.rsplit("/", 1)[1])
                if refund is None:
                    return _error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
                return 200, self._refund_view(refund)
        return _error(404, "NOT_FOUND", "接口不存在")

    # --- orders -----------------------------------------------------------------------------------------------
    def _order_create(self, payload: dict, trade_type: str) -> tuple[int, dict]:
        amount = payload.get("amount") if isinstance(payload.get("amount"), dict) else {}
        out_trade_no = payload.get("out_trade_no")
        for name in ("appid", "mchid", "description", "out_trade_no", "notify_url"):
            if not isinstance(payload.get(name), str) or not payload[name]:
                return _error(400, "PARAM_ERROR", f"输入源“/body/{name}”映射到字段“{name}”必填性规则校验失败")
        if payload["mchid"] != self.mchid or payload["appid"] != self.appid:
            return _error(400, "INVALID_REQUEST", "appid和mch_id不匹配")
        if not TRADE_NO.fullmatch(out_trade_no):
            return _error(400, "PARAM_ERROR", "商户订单号格式不正确")
        if not payload["notify_url"].startswith(("https://", "http://")):
            return _error(400, "PARAM_ERROR", "notify_url 格式不正确")
        if not isinstance(amount.get("total"), int) or isinstance(amount.get("total"), bool) or amount["total"] <= 0:
            return _error(400, "PARAM_ERROR", "订单金额必须为正整数（分）")
        if amount.get("currency", "CNY") != "CNY":
            return _error(400, "PARAM_ERROR", "币种只支持CNY")
        if trade_type == "MWEB" and not (payload.get("scene_info") or {}).get("payer_client_ip"):
            return _error(400, "PARAM_ERROR", "H5支付必须传入scene_info.payer_client_ip")
        asked = {k: payload.get(k) for k in ("appid", "description", "notify_url")} | {"total": amount["total"]}
        order = self.orders.get(out_trade_no)
        if order is not None:
            if order["trade_state"] in ("SUCCESS", "REFUND"):
                return _error(400, "ORDERPAID", "该订单已支付")
            if order["asked"] != asked or order["trade_type"] != trade_type:
                return _error(400, "INVALID_REQUEST", "201 商户订单号重复")
        else:
            prepay_id = "wx" + datetime.now(CST).strftime("%d%H%M%S") + secrets.token_hex(12)
            order = {"out_trade_no": out_trade_no, "prepay_id": prepay_id, "trade_type": trade_type,
                     "trade_state": "NOTPAY", "trade_state_desc": "订单未支付", "asked": asked,
                     "description": payload["description"], "notify_url": payload["notify_url"],
                     "amount": {"total": amount["total"], "currency": "CNY"}, "transaction_id": "",
                     "success_time": "", "refunded": 0}
            self.orders[out_trade_no] = order
            self.prepay[prepay_id] = out_trade_no
        if trade_type == "NATIVE":
            return 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={order['prepay_id']}"}
        return 200, {"h5_url": f"{self.url}/pay/{order['prepay_id']}?package={secrets.token_hex(5)}"}

    def _order_view(self, order: dict) -> dict:
        view = {"appid": self.appid, "mchid": self.mchid, "out_trade_no": order["out_trade_no"],
                "trade_type": order["trade_type"], "trade_state": order["trade_state"],
                "trade_state_desc": order["trade_state_desc"], "attach": "",
                "amount": {"total": order["amount"]["total"], "currency": "CNY"}}
        if order["transaction_id"]:
            view.update(transaction_id=order["transaction_id"], bank_type="OTHERS", success_time=order["success_time"],
                        payer={"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"})
            view["amount"].update(payer_total=order["amount"]["total"], payer_currency="CNY")
        return view

    def page_url(self, code: str) -> str:
        """The payer's page for a code_url ("weixin://wxpay/bizpayurl?pr=<prepay id>") or an h5_url."""
        parts = urlsplit(code)
        if parts.scheme == "weixin":
            return f"{self.url}/pay/{dict(parse_qsl(parts.query))['pr']}"
        return code

    def pay(self, out_trade_no: str) -> Notification:
        with self.lock:
            order = self.orders[out_trade_no]
            if order["trade_state"] != "NOTPAY":
                raise ValueError(f"order {out_trade_no} is {order['trade_state']}")
            order.update(trade_state="SUCCESS", trade_state_desc="支付成功", success_time=_now(),
                         transaction_id="42000" + datetime.now(CST).strftime("%Y%m%d") + secrets.token_hex(8)[:15])
            view = self._order_view(order)
        return self.notify(order["notify_url"], *self._notice("TRANSACTION.SUCCESS", "支付成功", "transaction", view))

    def decline(self, out_trade_no: str) -> None:
        with self.lock:
            order = self.orders[out_trade_no]
            if order["trade_state"] != "NOTPAY":
                raise ValueError(f"order {out_trade_no} is {order['trade_state']}")
            order.update(trade_state="PAYERROR", trade_state_desc="支付失败，请重新下单支付")

    def _notice(self, event_type: str, summary: str, original_type: str, resource: dict) -> tuple[bytes, dict]:
        nonce = secrets.token_hex(6)
        plain = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(nonce.encode(), plain, original_type.encode())
        body = json.dumps({"id": secrets.token_hex(18), "create_time": _now(), "resource_type": "encrypt-resource",
                           "event_type": event_type, "summary": summary,
                           "resource": {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                                        "ciphertext": base64.b64encode(ciphertext).decode(),
                                        "associated_data": original_type, "nonce": nonce}},
                          ensure_ascii=False, separators=(",", ":")).encode()
        return body, {"Content-Type": "application/json", **self.signed_headers(body)}

    def resign(self, notification: Notification) -> Notification:
        headers = {"Content-Type": "application/json", **self.signed_headers(notification.body)}
        return Notification(url=notification.url, body=notification.body, headers=headers)

    # --- refunds ----------------------------------------------------------------------------------------------
    def _refund_create(self, payload: dict) -> tuple[int, dict]:
        amount = payload.get("amount") if isinstance(payload.get("amount"), dict) else {}
        out_refund_no = payload.get("out_refund_no")
        if not isinstance(out_refund_no, str) or not out_refund_no:
            return _error(400, "PARAM_ERROR", "输入源“/body/out_refund_no”映射到字段“out_refund_no”必填性规则校验失败")
        order = self.orders.get(payload.get("out_trade_no") or "")
        if order is None:
            return _error(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        refund, total = amount.get("refund"), amount.get("total")
        if not isinstance(refund, int) or refund <= 0 or total != order["amount"]["total"]:
            return _error(400, "PARAM_ERROR", "退款金额或订单金额不正确")
        if amount.get("currency", "CNY") != "CNY":
            return _error(400, "PARAM_ERROR", "币种只支持CNY")
        existing = self.refunds.get(out_refund_no)
        if existing is not None:
            if existing["out_trade_no"] != order["out_trade_no"] or existing["amount"]["refund"] != refund:
                return _error(400, "INVALID_REQUEST", "商户退款单号重复，请核实后再试")
            return 200, self._refund_view(existing)
        if order["trade_state"] not in ("SUCCESS", "REFUND"):
            return _error(400, "INVALID_REQUEST", "订单未支付，不能退款")
        if order["refunded"] + refund > order["amount"]["total"]:
            return _error(400, "NOT_ENOUGH", "申请退款金额超过订单可退金额")
        order["refunded"] += refund
        order.update(trade_state="REFUND", trade_state_desc="订单发生过退款，退款详情请查询退款单")
        made = {"refund_id": "50000" + secrets.token_hex(12)[:24], "out_refund_no": out_refund_no,
                "out_trade_no": order["out_trade_no"], "transaction_id": order["transaction_id"],
                "channel": "ORIGINAL", "user_received_account": "支付用户零钱", "create_time": _now(),
                "success_time": _now(), "status": "SUCCESS", "funds_account": "AVAILABLE",
                "amount": {"total": order["amount"]["total"], "refund": refund, "payer_total": order["amount"]["total"],
                           "payer_refund": refund, "settlement_refund": refund,
                           "settlement_total": order["amount"]["total"], "discount_refund": 0, "currency": "CNY"}}
        self.refunds[out_refund_no] = made
        answer = self._refund_view(made)
        answer["status"] = "PROCESSING"  # as WeChat Pay answers; the query shows SUCCESS (done at once here)
        return 200, answer

    @staticmethod
    def _refund_view(refund: dict) -> dict:
        return json.loads(json.dumps(refund))

    # --- the payer's page -------------------------------------------------------------------------------------
    def _page(self, request: Request, prepay_id: str) -> Answer:
        with self.lock:
            out_trade_no = self.prepay.get(prepay_id)
            order = self.orders.get(out_trade_no or "")
        if order is None:
            return html(404, page("WeChat Pay", "<p>This payment does not exist.</p>"))
        back = request.query.get("redirect_url", "")
        if request.method == "POST":
            action = request.form().get("action")
            if order["trade_state"] == "NOTPAY" and action in ("pay", "decline"):
                if action == "pay":
                    self.pay(out_trade_no)
                else:
                    self.decline(out_trade_no)
            if back:
                return redirect(back)
        if order["trade_state"] != "NOTPAY":
            return html(200, page("WeChat Pay", f"<p>{escape(order['trade_state_desc'])}</p>"))
        action = f"/pay/{quote(prepay_id)}" + (f"?redirect_url={quote(back, safe='')}" if back else "")
        return html(200, page("WeChat Pay", pay_form(f"¥{order['amount']['total'] / 100:.2f}",
                                                     order["description"], action)))


_RUNNING: dict[str, FakeWeChatPay] = {}


def start(port: int = 0, *, keys_path: str | None = None, **options) -> str:
    """Start a fake on `port` (0: a free one) and return its base URL (what gunicorn_conf or the demo needs);
    `running(url)` gives the fake itself (its `credentials()`). `keys_path`: a JSON file keeping its keys across
    restarts."""
    fake = FakeWeChatPay(**options)
    saved_keys(keys_path, fake)
    fake.start(port)
    _RUNNING[fake.url] = fake
    return fake.url


def running(url: str) -> FakeWeChatPay:
    return _RUNNING[url]
