"""A small fake of Stripe, for tests and the demo: the subset of the API that billing_saas calls, served over HTTP
on 127.0.0.1 in current shapes, driven by the real `stripe` library (point its API base at `fake.url`). One
account, in memory (the demo keeps it in a JSON file), standard library only. Test mode everywhere: its pages say
so, it takes only `sk_test_` keys.

    fake = FakeStripe(webhook_secret="whsec_test", webhook=sender, delivery="hold").start()
    ... fake.url -> "http://127.0.0.1:<port>"  (STRIPE_API_BASE)
    fake.stop()

Webhooks: every change records Stripe's events (`data.object` a snapshot of the moment). Each is POSTed as JSON
with a real `Stripe-Signature` (t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<body>"); t is the real time, not the
fake's clock, so the library's tolerance check holds after the clock moved) to `webhook`: a URL, or a callable
`sender(body: bytes, headers: dict) -> status`. `delivery` says when: "sync" before answering the request that
caused them; "background" from one thread, in order, after it (the demo: our endpoint calls back into the fake);
"hold" only when the test calls `fake.deliver()` (from the test's own thread, so its database transaction sees
them). `fake.pending()` lists those waiting, `fake.deliver([ids])` sends some in the order given (out-of-order
tests), `fake.resend(event_id)` sends one again, freshly signed (a replay). `fake.deliveries` logs (id, status).

The clock: the fake's "now" is the real time plus an offset that only grows (or `clock=callable` to share a
clock with the code under test, e.g. under time-machine). `fake.advance(to=epoch)` (or `seconds=`, `days=`) moves
it and does what Stripe does meanwhile: each active subscription whose period ended renews (a new invoice for the
next period, paid: `invoice.paid`; or refused: `invoice.payment_failed` and the subscription `past_due`), or ends
when set to cancel at the period end (`customer.subscription.deleted`). Our own code keeps the real time: pass
`datetime.fromtimestamp(fake.now(), tz=UTC)` to what takes a `now` (services.dunning_run).

Cards: `fake.card_fails(customer_id, True)` makes every later charge to that customer refused (False: they pass
again). Test card numbers on the hosted pages: 4242424242424242 pays; 4000000000000002 is declined;
4000000000000341 is refused at checkout and, entered in the portal, saved but refused at every charge.

Pages (on the fake's own host): `/pay/<cs_id>` Checkout (a card field and Pay, or "Pay with Alipay/WeChat Pay" in
payment mode; Cancel goes to cancel_url; paying redirects 303 to success_url, `{CHECKOUT_SESSION_ID}` filled in);
`/portal/<bps_id>` the billing portal (subscriptions, invoices, a new card; "pay open invoices" charges them with
it); `/invoice/<in_id>` the hosted invoice (pay an open one). In code: `fake.complete_checkout(cs_id, card=...,
method=...)` and `fake.portal_update(bps_id, card=..., pay_open=True)` do what the buttons do.

Control API over HTTP (JSON bodies), for a browser or another process: GET /_fake/now; POST /_fake/advance
{"to": epoch} or {"seconds": n} or {"days": n}; POST /_fake/card {"customer": "cus_...", "fails": true};
GET /_fake/events; POST /_fake/deliver {"events": [...]} (optional list); POST /_fake/events/<evt_id>/resend.

Covered (form-encoded requests, JSON answers with `object`, ids cus_/prod_/price_/cs_test_/sub_/si_/in_/pi_/bps_/
evt_, Stripe's error shape and statuses 400/401/402/404, `Idempotency-Key` on POST, list pagination by `limit`
and `starting_after`):
- customers: create, retrieve, update.
- products: create, list (`active`), retrieve, update. prices: create (`recurring[interval]`), list (`product`,
  `active`), retrieve, update of `active`, `metadata`, `nickname`, `lookup_key` only: anything else (an amount) is
  refused as Stripe does, "Received unknown parameter".
- checkout sessions: create (mode subscription with recurring prices, card; mode payment with `price_data` or a
  one-time price and `payment_method_types` alipay / wechat_pay (wechat_pay needs
  `payment_method_options[wechat_pay][client]=web`); `customer`, `client_reference_id`, `metadata`,
  `subscription_data[metadata]`, `payment_intent_data[metadata]`), retrieve, expire; completing one makes an active
  subscription with its first invoice paid, or a succeeded payment intent.
- billing portal sessions: create (the page: new card, pay open invoices).
- subscriptions: retrieve, list (`customer`), update (`items[0][price]` with `proration_behavior` always_invoice
  (a proration invoice charged now), create_prorations (nothing invoiced until the period ends in the fake) or
  none; a change of interval starts a new period and invoices now; `payment_behavior=error_if_incomplete` answers
  402 card_declined and changes nothing; `cancel_at_period_end`; `metadata`), cancel (DELETE).
- invoices: list (`customer`, `subscription`, `status`), retrieve, pay (402 card_declined when the card fails).
- payment intents: retrieve. events: retrieve, list (`type`).
- events sent: customer.created/updated, product.*, price.*, checkout.session.completed/expired,
  customer.subscription.created/updated/deleted, invoice.finalized, invoice.paid, invoice.payment_succeeded,
  invoice.payment_failed, payment_intent.succeeded.

Connect (finance.payments.stripe: dealers paying into a brand's own account): `POST /v1/accounts` makes a connected
account (acct_); a request with the `Stripe-Account: acct_...` header acts on that account's objects only (another
account's, or the platform's, are 404, as in Stripe; an unknown account is a 403). On a connected account:
- webhook endpoints: create (`url`, `enabled_events`; the answer holds its `secret` once). The account's events (they
  carry `account`) go to its endpoints, signed with each endpoint's secret, by `connect_sender(url, body, headers)`
  (default: POST to the URL, a host under .localhost on 127.0.0.1), in the platform's delivery mode.
- payment intents: create (`amount`, `currency`, `payment_method_types` card / alipay / wechat_pay, `description`,
  `metadata`, `confirm` with `return_url`), retrieve, confirm (`return_url`: status requires_action, `next_action`
  redirect_to_url to the hosted page `/pi/<pi_id>`), cancel. The page's Pay (one button per method) makes a charge
  and succeeds it (charge.succeeded, payment_intent.succeeded); Decline leaves it requires_payment_method with a
  `last_payment_error` (payment_intent.payment_failed), payable again; both redirect 303 to the return_url with
  `payment_intent`, `payment_intent_client_secret` and `redirect_status` (succeeded / failed). In code:
  `fake.pay_intent(pi_id, method=..., decline=False)`.
- charges: retrieve (`amount_refunded`, `refunded`). refunds: create (`payment_intent` or `charge`, `amount`, default
  what is left; more than is left is a 400), retrieve; events refund.created and charge.refunded.

Not covered: `expand` (ids stay ids; a subscription item's price is a full object, as in Stripe), search, trials
on Stripe's side (our trial is ours), coupons, taxes, customer balance (a proration credit larger than the charge is
dropped, not kept), pending invoice items (create_prorations bills nothing until the renewal, and not even then),
automatic payment retries and dunning on Stripe's side (a past-due subscription waits until its open invoice is
paid in the portal or by `invoices.pay`; it does not renew meanwhile), payment methods and setup intents as
objects (a card is a flag on the customer), refunds of subscriptions' invoices, disputes, Connect's onboarding links,
transfers and application fees, asynchronous payment methods (Alipay and
WeChat Pay succeed at once), 3-D Secure, rate limits, API versions (one shape), webhook endpoints as objects (the
one endpoint is configured on the fake), test clocks as objects (the fake's clock is its own).
"""

from billing_saas.stripe_fake.server import FakeStripe, signature
from billing_saas.stripe_fake.state import CARD_DECLINED, CARD_FAILS_LATER, CARD_OK, FakeError, FakeState

__all__ = ["CARD_DECLINED", "CARD_FAILS_LATER", "CARD_OK", "FakeError", "FakeState", "FakeStripe", "signature"]
