"""A local fake of Alipay's open platform gateway (one app, public-key mode, RSA2), for tests and the demo.

    fake = FakeAlipay().start()               # a free port; `start(port)` returns the base URL (gunicorn_conf)
    adapter = alipay.build(fake.credentials())  # app_id, the app's private key, Alipay's public key, api_base
    ...
    fake.stop()

Keys: the fake makes the app's key pair (a real merchant makes its own and uploads the public half; here the fake
hands the private key over in `credentials()`) and Alipay's key pair, at start.

What it checks as Alipay does: app_id, sign_type RSA2, a timestamp ("yyyy-MM-dd HH:mm:ss", Beijing time) within
15 minutes, and the SHA256withRSA signature over every non-empty parameter but `sign`, sorted, "k=v&k=v"; a failure
answers {"<method>_response": {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature",
...}} (or, for a cashier link, an error page). It signs every answer over the exact text of its response object and
every notification over its parameters but sign and sign_type.

Covered: /gateway.do with alipay.trade.page.pay and alipay.trade.wap.pay (the payer's browser opens the signed link:
the cashier page, where the trade is made), alipay.trade.precreate (qr_code: a link to the fake's own cashier),
alipay.trade.query (ACQ.TRADE_NOT_EXIST until the cashier was opened), alipay.trade.refund (out_request_no: a
repeat answers fund_change "N"; more than is left is ACQ.REFUND_AMT_NOT_EQUAL_TOTAL; a whole refund closes the
trade). The cashier's Pay makes the trade TRADE_SUCCESS, notifies, and returns to return_url with the signed return
parameters; Decline closes it (TRADE_CLOSED), notifies and returns to return_url. Each refund notifies
(TRADE_SUCCESS with refund_fee, or TRADE_CLOSED for the last one). Notifications are form POSTs; `resend_last()`
sends the last again with the same notify_id (a new notify_time, signed anew). In code: `fake.pay(out_trade_no)`,
`fake.decline(out_trade_no)`; `cashier_url(checkout)`; `/` lists trades; `down = True` answers 20000.

When written, it was checked against the `python-alipay-sdk` package (3.4.0, not a dependency): its precreate and
query calls were accepted and their answers verified by it, it verified the fake's notifications, and it signs our
adapter's request parameters to the same signature.
For a process (gunicorn_conf, the demo): `start(port, keys_path=...)` returns the base URL and keeps the keys in a
JSON file across restarts, so the credentials a brand entered stay valid; `running(url).credentials()`.

Not covered: certificate mode (alipay_cert_sn), app pay, trade close/cancel, refund query, settlement, royalty,
AES-encrypted biz_content, GBK.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from html import escape
from urllib.parse import parse_qsl, quote, urlencode

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
TRADE_NO = re.compile(r"[0-9A-Za-z_]{1,64}")
PAGE_METHODS = {"alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY", "alipay.trade.wap.pay": "QUICK_WAP_WAY"}
API_METHODS = ("alipay.trade.precreate", "alipay.trade.query", "alipay.trade.refund")


def _now() -> str:
    return datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")


def _content(params: dict, leave: tuple[str, ...], *, empty: bool = False) -> bytes:
    """Requests are signed over their non-empty parameters but sign; notifications over all but sign, sign_type."""
    kept = (k for k in sorted(params) if k not in leave and (empty or params[k] != ""))
    return "&".join(f"{k}={params[k]}" for k in kept).encode()


def _failure(code: str, msg: str, sub_code: str, sub_msg: str) -> dict:
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}


def _business(sub_code: str, sub_msg: str) -> dict:
    return _failure("40004", "Business Failed", sub_code, sub_msg)


def _money(text) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")) or value > Decimal("1e8"):
        return None
    return value


class FakeAlipay(FakeProvider):
    name = "alipay"

    def __init__(self, *, app_id: str = "2021000000000001", **options):
        super().__init__(**options)
        self.app_id = app_id
        self.app_key = new_key()
        self.alipay_key = new_key()
        self.seller_id = "2088" + "".join(secrets.choice(string.digits) for _ in range(12))
        self.down = False
        self.trades: dict[str, dict] = {}  # out_trade_no -> trade (made when the cashier is opened)
        self.asked: dict[str, dict] = {}  # token -> what a signed link or precreate asked for
        self.refunds: dict[tuple[str, str], dict] = {}  # (out_trade_no, out_request_no) -> refund
        self.requests: list[tuple[str, str]] = []  # (method, code) of every gateway call
        self._outbox: list[tuple[dict, dict]] = []  # notifications to send once the lock is released

    def dump_keys(self) -> dict:
        return {"app_key": pem_private(self.app_key), "alipay_key": pem_private(self.alipay_key),
                "seller_id": self.seller_id}

    def load_keys(self, saved: dict) -> None:
        self.app_key, self.alipay_key = load_private(saved["app_key"]), load_private(saved["alipay_key"])
        self.seller_id = saved["seller_id"]

    def credentials(self) -> dict:
        return {"app_id": self.app_id, "app_private_key": pem_private(self.app_key),
                "alipay_public_key": pem_public(self.alipay_key.public_key()), "sandbox": False,
                "api_base": f"{self.url}/gateway.do"}

    # --- signatures -------------------------------------------------------------------------------------------
    def _check(self, params: dict) -> dict | None:
        """Alipay's failure answer for the request's common parameters and signature, or None."""
        if not params.get("sign"):
            return _failure("40001", "Missing Required Arguments", "isv.missing-signature", "缺少签名参数")
        if params.get("app_id") != self.app_id:
            return _failure("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数")
        if params.get("sign_type") != "RSA2":
            return _failure("40002", "Invalid Arguments", "isv.invalid-signature-type", "无效的签名类型")
        try:
            sent = datetime.strptime(params.get("timestamp", ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
        except ValueError:
            return _failure("40002", "Invalid Arguments", "isv.invalid-timestamp", "非法的时间戳参数")
        if abs((datetime.now(CST) - sent).total_seconds()) > 900:
            return _failure("40002", "Invalid Arguments", "isv.invalid-timestamp", "非法的时间戳参数")
        if not rsa_verify(self.app_key.public_key(), _content(params, ("sign",)), params["sign"]):
            return _failure("40002", "Invalid Arguments", "isv.invalid-signature",
                            "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配")
        return None

    def _answer(self, method: str, node: dict, *, signed: bool = True) -> Answer:
        name = method.replace(".", "_") + "_response"
        node_text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        text = f'{{"{name}":{node_text}'
        if signed:
            text += f',"sign":"{rsa_sign(self.alipay_key, node_text.encode())}"'
        return Answer(200, (text + "}").encode(), {"Content-Type": "text/html;charset=utf-8"})

    # --- HTTP -------------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Answer:
        if request.path == "/gateway.do":
            params = {**request.query, **(request.form() if request.method == "POST" else {})}
            if params.get("method") in PAGE_METHODS:
                return self._cashier_open(params)
            return self._gateway(params)
        if request.path.startswith("/cashier/"):
            return self._cashier(request, request.path.removeprefix("/cashier/"))
        if request.path == "/_fake/sink":  # a notify_url that says success (tests without a merchant endpoint)
            return Answer(200, b"success", {"Content-Type": "text/plain"})
        if request.path == "/":
            rows = "".join(f"<li><a href=\"/cashier/{escape(t['token'])}\">{escape(no)}</a> {t['total_amount']} "
                           f"CNY {escape(t['trade_status'])}</li>" for no, t in self.trades.items())
            return html(200, page("Alipay", f"<h1>Trades</h1><ul>{rows}</ul>"))
        return Answer(404, b"not found")

    def _gateway(self, params: dict) -> Answer:
        method = params.get("method", "")
        if method not in API_METHODS:
            return self._answer("error", _failure("40002", "Invalid Arguments", "isv.invalid-method",
                                                  "不存在的方法名"), signed=False)
        if self.down:
            return self._answer(method, _failure("20000", "Service Currently Unavailable", "isp.unknow-error",
                                                 "系统繁忙"), signed=False)
        problem = self._check(params)
        if problem is not None:
            with self.lock:
                self.requests.append((method, problem["sub_code"]))
            return self._answer(method, problem, signed=False)
        try:
            biz = json.loads(params.get("biz_content") or "{}")
        except ValueError:
            biz = None
        if not isinstance(biz, dict):
            return self._answer(method, _failure("40002", "Invalid Arguments", "isv.invalid-biz-content",
                                                 "biz_content 不是合法的JSON"))
        with self.lock:
            if method == "alipay.trade.precreate":
                node = self._precreate(biz, params)
            elif method == "alipay.trade.query":
                node = self._query(biz)
            else:
                node = self._refund(biz)
            self.requests.append((method, node.get("sub_code", node["code"])))
            outbox, self._outbox = self._outbox, []
        for trade, notice in outbox:  # sent outside the lock: the merchant may call back meanwhile
            self._notify(trade, notice)
        return self._answer(method, node)

    # --- trades -----------------------------------------------------------------------------------------------
    def _asked(self, biz: dict, params: dict, kind: str) -> tuple[dict | None, dict]:
        out_trade_no, amount = biz.get("out_trade_no"), _money(biz.get("total_amount"))
        if not isinstance(out_trade_no, str) or not TRADE_NO.fullmatch(out_trade_no):
            return None, _failure("40002", "Invalid Arguments", "isv.invalid-parameter", "out_trade_no 不合法")
        if amount is None:
            return None, _failure("40002", "Invalid Arguments", "isv.invalid-parameter", "total_amount 不合法")
        if not isinstance(biz.get("subject"), str) or not biz["subject"]:
            return None, _failure("40001", "Missing Required Arguments", "isv.missing-parameter", "缺少subject参数")
        trade = self.trades.get(out_trade_no)
        if trade is not None and trade["trade_status"] != "WAIT_BUYER_PAY":
            return None, _business("ACQ.TRADE_HAS_SUCCESS" if trade["trade_status"] == "TRADE_SUCCESS"
                                   else "ACQ.TRADE_HAS_CLOSE", "交易已支付或已关闭")
        if trade is not None and (trade["total_amount"], trade["subject"]) != (f"{amount:.2f}", biz["subject"]):
            return None, _business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        token = secrets.token_hex(12)
        asked = {"token": token, "out_trade_no": out_trade_no, "total_amount": f"{amount:.2f}",
                 "subject": biz["subject"], "notify_url": params.get("notify_url", ""),
                 "return_url": params.get("return_url", ""), "kind": kind}
        self.asked[token] = asked
        return asked, {}

    def _precreate(self, biz: dict, params: dict) -> dict:
        asked, failure = self._asked(biz, params, "precreate")
        if asked is None:
            return failure
        return {"code": "10000", "msg": "Success", "out_trade_no": asked["out_trade_no"],
                "qr_code": f"{self.url}/cashier/{asked['token']}"}

    def _open(self, asked: dict) -> dict:
        """The payer opens the cashier: the trade exists from now (WAIT_BUYER_PAY)."""
        trade = self.trades.get(asked["out_trade_no"])
        if trade is None:
            trade = {"out_trade_no": asked["out_trade_no"], "token": asked["token"],
                     "trade_no": datetime.now(CST).strftime("%Y%m%d") + "22001" + secrets.token_hex(5)[:9],
                     "trade_status": "WAIT_BUYER_PAY", "total_amount": asked["total_amount"],
                     "subject": asked["subject"], "gmt_create": _now(), "gmt_payment": "", "gmt_close": "",
                     "refunded": Decimal("0.00")}
            self.trades[asked["out_trade_no"]] = trade
        trade.update(notify_url=asked["notify_url"], return_url=asked["return_url"], token=asked["token"])
        return trade

    def _query(self, biz: dict) -> dict:
        trade = self.trades.get(biz.get("out_trade_no") or "")
        if trade is None:
            return _business("ACQ.TRADE_NOT_EXIST", "交易不存在")
        node = {"code": "10000", "msg": "Success", "trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"],
                "buyer_logon_id": "159****5620", "trade_status": trade["trade_status"],
                "total_amount": trade["total_amount"], "buyer_user_id": "2088101117955611"}
        if trade["gmt_payment"]:
            node.update(send_pay_date=trade["gmt_payment"], receipt_amount=trade["total_amount"],
                        buyer_pay_amount=trade["total_amount"], point_amount="0.00",
                        invoice_amount=trade["total_amount"])
        return node

    def pay(self, out_trade_no: str) -> Notification:
        with self.lock:
            trade = self.trades[out_trade_no]
            if trade["trade_status"] != "WAIT_BUYER_PAY":
                raise ValueError(f"trade {out_trade_no} is {trade['trade_status']}")
            trade.update(trade_status="TRADE_SUCCESS", gmt_payment=_now())
            params = self._trade_params(trade)
        return self._notify(trade, params)

    def decline(self, out_trade_no: str) -> Notification:
        with self.lock:
            trade = self.trades[out_trade_no]
            if trade["trade_status"] != "WAIT_BUYER_PAY":
                raise ValueError(f"trade {out_trade_no} is {trade['trade_status']}")
            trade.update(trade_status="TRADE_CLOSED", gmt_close=_now())
            params = self._trade_params(trade)
        return self._notify(trade, params)

    def _trade_params(self, trade: dict) -> dict:
        params = {"app_id": self.app_id, "trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"],
                  "trade_status": trade["trade_status"], "total_amount": trade["total_amount"],
                  "subject": trade["subject"], "seller_id": self.seller_id, "buyer_id": "2088101117955611",
                  "gmt_create": trade["gmt_create"]}
        if trade["gmt_payment"]:
            params.update(gmt_payment=trade["gmt_payment"], receipt_amount=trade["total_amount"],
                          buyer_pay_amount=trade["total_amount"], invoice_amount=trade["total_amount"],
                          point_amount="0.00")
        if trade["gmt_close"]:
            params["gmt_close"] = trade["gmt_close"]
        return params

    def _notify(self, trade: dict, params: dict) -> Notification:
        params = {"notify_time": _now(), "notify_type": "trade_status_sync", "notify_id": secrets.token_hex(16),
                  "charset": "utf-8", "version": "1.0", "auth_app_id": self.app_id, **params}
        return self.notify(trade["notify_url"], *self._signed_form(params))

    def _signed_form(self, params: dict) -> tuple[bytes, dict]:
        params = {**params, "sign_type": "RSA2"}
        params["sign"] = rsa_sign(self.alipay_key, _content(params, ("sign", "sign_type"), empty=True))
        return urlencode(params).encode(), {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

    def resign(self, notification: Notification) -> Notification:
        params = dict(parse_qsl(notification.body.decode(), keep_blank_values=True))
        params.pop("sign", None)
        params["notify_time"] = _now()
        return Notification(notification.url, *self._signed_form(params))

    # --- refunds ----------------------------------------------------------------------------------------------
    def _refund(self, biz: dict) -> dict:
        trade = self.trades.get(biz.get("out_trade_no") or "")
        if trade is None:
            return _business("ACQ.TRADE_NOT_EXIST", "交易不存在")
        amount = _money(biz.get("refund_amount"))
        if amount is None:
            return _failure("40002", "Invalid Arguments", "isv.invalid-parameter", "refund_amount 不合法")
        request_no = str(biz.get("out_request_no") or trade["out_trade_no"])
        done = self.refunds.get((trade["out_trade_no"], request_no))
        if done is not None:
            if done["refund_amount"] != f"{amount:.2f}":
                return _business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额与原退款请求不一致")
            return {**done, "fund_change": "N", "refund_fee": f"{trade['refunded']:.2f}"}
        if trade["trade_status"] not in ("TRADE_SUCCESS",):
            return _business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        if trade["refunded"] + amount > Decimal(trade["total_amount"]):
            return _business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
        trade["refunded"] += amount
        when = _now()
        if trade["refunded"] == Decimal(trade["total_amount"]):
            trade.update(trade_status="TRADE_CLOSED", gmt_close=when)
        node = {"code": "10000", "msg": "Success", "trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"],
                "buyer_logon_id": "159****5620", "fund_change": "Y", "refund_fee": f"{trade['refunded']:.2f}",
                "gmt_refund_pay": when, "refund_amount": f"{amount:.2f}"}
        self.refunds[(trade["out_trade_no"], request_no)] = node
        params = {**self._trade_params(trade), "out_biz_no": request_no, "refund_fee": f"{trade['refunded']:.2f}",
                  "gmt_refund": when}
        self._outbox.append((trade, params))
        return node

    # --- the payer's cashier ----------------------------------------------------------------------------------
    def cashier_url(self, checkout) -> str:
        """The cashier page of a Checkout: its qr_code (a link here) or its signed redirect link."""
        return checkout.qr_code or checkout.redirect_url

    def _cashier_open(self, params: dict) -> Answer:
        problem = self._check(params)
        if problem is None:
            try:
                biz = json.loads(params.get("biz_content") or "{}")
            except ValueError:
                biz = {}
            if not isinstance(biz, dict) or biz.get("product_code") != PAGE_METHODS[params["method"]]:
                problem = _failure("40002", "Invalid Arguments", "isv.invalid-parameter", "product_code 不合法")
            else:
                with self.lock:
                    asked, problem = self._asked(biz, params, params["method"])
                    if asked is not None:
                        return redirect(f"/cashier/{asked['token']}")
        return html(400, page("Alipay", f"<h1>错误代码 {escape(problem['sub_code'])}</h1>"
                                        f"<p>{escape(problem['sub_msg'])}</p>"))

    def _cashier(self, request: Request, token: str) -> Answer:
        with self.lock:
            asked = self.asked.get(token)
            trade = self._open(asked) if asked is not None else None
        if trade is None:
            return html(404, page("Alipay", "<p>This payment does not exist.</p>"))
        if request.method == "POST" and trade["trade_status"] == "WAIT_BUYER_PAY":
            action = request.form().get("action")
            if action == "pay":
                self.pay(trade["out_trade_no"])
                return self._back(trade, paid=True)
            if action == "decline":
                self.decline(trade["out_trade_no"])
                return self._back(trade, paid=False)
        if trade["trade_status"] != "WAIT_BUYER_PAY":
            return html(200, page("Alipay", f"<p>{escape(trade['trade_status'])}</p>"))
        return html(200, page("Alipay", pay_form(f"¥{trade['total_amount']}", trade["subject"],
                                                 f"/cashier/{quote(token)}")))

    def _back(self, trade: dict, *, paid: bool) -> Answer:
        """To return_url: after a payment with Alipay's signed return parameters (the synchronous return)."""
        if not trade["return_url"]:
            return html(200, page("Alipay", f"<p>{escape(trade['trade_status'])}</p>"))
        if not paid:
            return redirect(trade["return_url"])
        params = {"app_id": self.app_id, "method": "alipay.trade.page.pay.return", "charset": "utf-8",
                  "timestamp": _now(), "version": "1.0", "out_trade_no": trade["out_trade_no"],
                  "trade_no": trade["trade_no"], "total_amount": trade["total_amount"], "seller_id": self.seller_id,
                  "auth_app_id": self.app_id}
        body, _headers = self._signed_form(params)
        joiner = "&" if "?" in trade["return_url"] else "?"
        return redirect(f"{trade['return_url']}{joiner}{body.decode()}")


_RUNNING: dict[str, FakeAlipay] = {}


def start(port: int = 0, *, keys_path: str | None = None, **options) -> str:
    """Start a fake on `port` (0: a free one) and return its base URL (what gunicorn_conf or the demo needs);
    `running(url)` gives the fake itself (its `credentials()`; the gateway is `<url>/gateway.do`). `keys_path`: a
    JSON file keeping its keys across restarts."""
    fake = FakeAlipay(**options)
    saved_keys(keys_path, fake)
    fake.start(port)
    _RUNNING[fake.url] = fake
    return fake.url


def running(url: str) -> FakeAlipay:
    return _RUNNING[url]
