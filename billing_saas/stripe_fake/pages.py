"""The fake's hosted pages (checkout, billing portal, invoice): plain HTML, marked as test mode on every page."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from billing_saas.stripe_fake.state import CARD_DECLINED, CARD_FAILS_LATER, CARD_OK

ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf",
                "xof", "xpf"}
STYLE = """body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#222}
.test{background:#ffe08a;border:1px solid #d4a017;padding:.5rem .75rem;border-radius:6px;font-size:.9rem}
.error{background:#fde2e1;border:1px solid #c0392b;padding:.5rem .75rem;border-radius:6px}
.ok{background:#e3f6e5;border:1px solid #2e8540;padding:.5rem .75rem;border-radius:6px}
button{font-size:1rem;padding:.5rem 1.25rem;margin:.25rem .25rem .25rem 0;cursor:pointer}
input{font-size:1rem;padding:.4rem;width:16rem}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.3rem;border-bottom:1px solid #ddd}small{color:#666}"""


def money(amount: int, currency: str) -> str:
    if currency.lower() in ZERO_DECIMAL:
        return f"{amount} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


def day(epoch: int | None) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d") if epoch else "-"


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width,initial-scale=1\"><title>{escape(title)}</title><style>{STYLE}</style>"
            f"</head><body><p class=\"test\"><strong>Test mode.</strong> A local fake of Stripe: no money moves and "
            f"no real card is charged.</p><h1>{escape(title)}</h1>{body}</body></html>")


def _cards_help() -> str:
    return (f"<small>Test cards: {CARD_OK} pays; {CARD_DECLINED} is declined; {CARD_FAILS_LATER} is saved but "
            f"every later charge fails.</small>")


def checkout_page(session: dict, *, error: str = "") -> str:
    if session["status"] != "open":
        return _page("Checkout", f"<p>This checkout is {escape(session['status'])}.</p>")
    total = money(session["amount_total"], session["currency"])
    body = f"<p class=\"error\">{escape(error)}</p>" if error else ""
    body += f"<p>Amount: <strong>{escape(total)}</strong>"
    body += " per period, renewed automatically</p>" if session["mode"] == "subscription" else "</p>"
    body += "<form method=\"post\">"
    if session["mode"] == "subscription":
        body += (f"<p><label>Card number <input name=\"card\" value=\"{CARD_OK}\" autocomplete=\"off\"></label></p>"
                 f"<p>{_cards_help()}</p><button name=\"action\" value=\"pay\">Pay</button>")
    else:
        names = {"alipay": "Alipay", "wechat_pay": "WeChat Pay", "card": "card"}
        body += "<input type=\"hidden\" name=\"action\" value=\"pay\">" + "".join(
            f"<button name=\"method\" value=\"{escape(m)}\">Pay with {escape(names.get(m, m))}</button>"
            for m in session["payment_method_types"])
    body += "</form><form method=\"post\"><button name=\"action\" value=\"cancel\">Cancel and go back</button></form>"
    return _page("Checkout", body)


def intent_page(intent: dict) -> str:
    """A PaymentIntent's hosted page (Connect payments): pay with one of its methods, or have it declined."""
    total = money(intent["amount"], intent["currency"])
    body = (f"<p>{escape(intent.get('description') or '')}</p><p>Amount: <strong>{escape(total)}</strong></p>")
    if intent["status"] not in ("requires_action", "requires_payment_method"):
        return _page("Payment", body + f"<p>This payment is {escape(intent['status'])}.</p>")
    if intent.get("last_payment_error"):
        body += f"<p class=\"error\">{escape(intent['last_payment_error']['message'])} Try again.</p>"
    names = {"alipay": "Alipay", "wechat_pay": "WeChat Pay", "card": "card"}
    body += "<form method=\"post\"><input type=\"hidden\" name=\"action\" value=\"pay\">" + "".join(
        f"<button name=\"method\" value=\"{escape(m)}\">Pay with {escape(names.get(m, m))}</button>"
        for m in intent["payment_method_types"])
    body += ("</form><form method=\"post\"><button name=\"action\" value=\"decline\">Decline (the payment "
             "fails)</button></form>")
    return _page("Payment", body)


def portal_page(session: dict, subscriptions: list[dict], invoices: list[dict], *, error: str = "",
                saved: bool = False) -> str:
    body = f"<p class=\"error\">{escape(error)}</p>" if error else ""
    body += "<p class=\"ok\">Saved.</p>" if saved else ""
    body += "<h2>Subscriptions</h2><table><tr><th>Price</th><th>Status</th><th>Renews</th></tr>"
    for subscription in subscriptions:
        item = subscription["items"]["data"][0]
        price = item["price"]
        renews = "cancels " if subscription["cancel_at_period_end"] else ""
        body += (f"<tr><td>{escape(money(price['unit_amount'], price['currency']))} / "
                 f"{escape(price['recurring']['interval'])}</td><td>{escape(subscription['status'])}</td>"
                 f"<td>{renews}{day(item['current_period_end'])}</td></tr>")
    body += "</table><h2>Invoices</h2><table><tr><th>Number</th><th>Date</th><th>Amount</th><th>Status</th></tr>"
    for invoice in invoices:
        body += (f"<tr><td><a href=\"{escape(invoice['hosted_invoice_url'])}\">{escape(invoice['number'])}</a></td>"
                 f"<td>{day(invoice['created'])}</td><td>{escape(money(invoice['total'], invoice['currency']))}</td>"
                 f"<td>{escape(invoice['status'])}</td></tr>")
    body += (f"</table><h2>Payment method</h2><form method=\"post\"><p><label>New card number <input name=\"card\" "
             f"value=\"{CARD_OK}\" autocomplete=\"off\"></label></p><p>{_cards_help()}</p>"
             f"<p><label><input type=\"checkbox\" name=\"pay_open\" value=\"1\" checked style=\"width:auto\"> Pay open "
             f"invoices with it</label></p><button>Save card</button></form>")
    if session.get("return_url"):
        body += f"<p><a href=\"{escape(session['return_url'])}\">Return</a></p>"
    return _page("Billing", body)


def invoice_page(invoice: dict) -> str:
    body = (f"<p>Invoice {escape(invoice['number'])}, {day(invoice['created'])}: "
            f"<strong>{escape(money(invoice['total'], invoice['currency']))}</strong>, {escape(invoice['status'])}."
            f"</p><table><tr><th>Line</th><th>Period</th><th>Amount</th></tr>")
    for line in invoice["lines"]["data"]:
        body += (f"<tr><td>{escape(line['description'])}</td><td>{day(line['period']['start'])} - "
                 f"{day(line['period']['end'])}</td><td>{escape(money(line['amount'], line['currency']))}</td></tr>")
    body += "</table>"
    if invoice["status"] == "open":
        body += "<form method=\"post\"><button>Pay with the saved card</button></form>"
    return _page(f"Invoice {invoice['number']}", body)


def error_page(message: str) -> str:
    return _page("Something went wrong", f"<p class=\"error\">{escape(message)}</p>")
