"""Online payments: the brand connects its provider accounts; a dealer starts a payment (an order's amount still
owed, or a top-up), pays on the provider's page, and the provider's webhook moves the payment.

- `payment_start` checks the amount (an order payment at most what is still owed on that order, from the ledger),
  writes a pending Payment and asks the adapter for a checkout with the payment's own idempotency key, in one
  transaction: a provider refusal leaves nothing behind.
- `webhook_receive` verifies the webhook (the adapter; a bad signature: nothing stored), keeps its event id once (a
  replay is a no-op) and never trusts the event's copy: it asks the provider for the payment's status now
  (`fetch_status`) and moves our payment towards it along the state machine (finance.payments.states), so that
  events arriving late or out of order change nothing they should not.
- `payment_succeeded` posts the money to the ledger once (the state machine admits one move to succeeded): an
  order payment through finance.services.payment_record filed under the order number, a top-up through
  top_up_record filed under TOPUP-<id>. `payment_refund` pays back part or all through the adapter (its own
  idempotency key) and posts refund_record. Refunds made at the provider (its dashboard) come back by webhook.

Every change is audited. The actor of what a provider tells us is the provider's code."""

from __future__ import annotations

import json
import logging
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.audit.services import audit_record
from tenant_apps.core.money import tenant_currency
from tenant_apps.finance import services as ledger
from tenant_apps.finance.errors import (
    FinanceInvalid,
    PaymentProviderFailed,
    ProviderNotConnected,
    WebhookNotVerified,
)
from tenant_apps.finance.models import (
    LedgerEntry,
    Payment,
    PaymentPurpose,
    PaymentRefund,
    PaymentState,
    ProviderAccount,
    ProviderWebhookEvent,
)
from tenant_apps.finance.payments.base import Checkout, CredentialField, ProviderError, ProviderEvent, WebhookRefused
from tenant_apps.finance.payments.registry import ADAPTERS, adapter_for, adapter_module
from tenant_apps.finance.payments.states import PAYMENT
from tenant_apps.finance.selectors import owed_by_reference

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
PROVIDER_NAMES = {"stripe": gettext_lazy("Stripe (cards, Alipay, WeChat Pay)"), "wechatpay": gettext_lazy("WeChat Pay"),
                  "alipay": gettext_lazy("Alipay")}


def _invalid(field: str, message: str) -> FinanceInvalid:
    return FinanceInvalid(message, fields={field: [message]})


# --- provider accounts ---------------------------------------------------------------------------------------


def credential_fields(code: str) -> list[CredentialField]:
    """The adapter's CREDENTIAL_FIELDS as CredentialField (adapters may give (name, label, secret) tuples)."""
    fields = []
    for item in getattr(adapter_module(code), "CREDENTIAL_FIELDS", ()):
        if isinstance(item, CredentialField):
            fields.append(item)
        elif isinstance(item, dict):
            fields.append(CredentialField(**item))
        else:
            fields.append(CredentialField(*item))
    return fields


def provider_available(code: str) -> bool:
    """Whether an adapter for `code` is installed (its module imports)."""
    try:
        adapter_module(code)
    except (KeyError, ImportError):
        return False
    return True


def mask(value: str) -> str:
    value = str(value or "")
    return f"••••{value[-4:]}" if len(value) > 8 else "••••" if value else ""


def account_credentials(account: ProviderAccount) -> dict:
    """The account's decrypted credentials, with its webhook secret, for `build` (never for pages)."""
    credentials = json.loads(account.credentials or "{}")
    if account.webhook_secret:
        credentials["webhook_secret"] = account.webhook_secret
    return credentials


@transaction.atomic
def provider_connect(*, actor, code: str, credentials: dict, webhook_secret: str = "",
                     enabled: bool = True) -> ProviderAccount:
    """Connect (or reconnect) the brand's account at `code`. A secret field left empty on an account already
    connected keeps its stored value. The adapter builds from them before anything is saved."""
    if code not in ADAPTERS or not provider_available(code):
        raise _invalid("code", _("Not a payment provider we support."))
    account = ProviderAccount.objects.select_for_update().filter(code=code).first()
    stored = json.loads(account.credentials or "{}") if account else {}
    cleaned, hints, errors = {}, {}, {}
    for spec in credential_fields(code):
        value = str(credentials.get(spec.name) or "").strip()[:4000]
        if spec.checkbox:  # a ticked box ("on", "1", True) is kept as "1"; an unticked one is not kept
            value = "1" if value.lower() in ("1", "on", "true", "yes") else ""
        elif not value and spec.secret:
            value = stored.get(spec.name, "")
        if not value and spec.required:
            errors[spec.name] = [_("Required.")]
            continue
        if value:
            cleaned[spec.name] = value
            hints[spec.name] = mask(value) if spec.secret else value
    webhook_secret = (webhook_secret or "").strip()[:500] or (account.webhook_secret if account else "")
    if errors:
        raise FinanceInvalid(_("Some details are missing."), fields=errors)
    try:
        adapter_for(code, {**cleaned, **({"webhook_secret": webhook_secret} if webhook_secret else {})})
    except (ProviderError, ValueError, KeyError) as error:
        raise _invalid("credentials", _("These details do not work: %(error)s") % {"error": error}) from None
    if webhook_secret:
        hints["webhook_secret"] = mask(webhook_secret)
    before = {"enabled": account.enabled, "hints": account.credential_hints} if account else {}
    account = account or ProviderAccount(code=code)
    account.credentials, account.webhook_secret = json.dumps(cleaned), webhook_secret
    account.credential_hints, account.enabled = hints, enabled
    account.connected_by = actor if getattr(actor, "pk", None) else None
    account.save()
    audit_record(actor=actor, action="finance.provider.connected", target=account, before=before,
                 after={"code": code, "enabled": enabled, "hints": hints})
    return account


@transaction.atomic
def provider_disconnect(*, actor, code: str) -> ProviderAccount | None:
    """Forget the brand's credentials at `code` and stop offering it (payments already made stay)."""
    account = ProviderAccount.objects.select_for_update().filter(code=code).first()
    if account is None:
        return None
    before = {"enabled": account.enabled, "hints": account.credential_hints}
    account.enabled, account.credentials, account.webhook_secret, account.credential_hints = False, "", "", {}
    account.save()
    audit_record(actor=actor, action="finance.provider.disconnected", target=account, before=before,
                 after={"enabled": False})
    return account


def providers_enabled() -> list[ProviderAccount]:
    return [account for account in ProviderAccount.objects.filter(enabled=True).exclude(credentials="")
            if provider_available(account.code)]


def _adapter(code: str):
    account = ProviderAccount.objects.filter(code=code, enabled=True).exclude(credentials="").first()
    if account is None or not provider_available(code):
        raise ProviderNotConnected(_("This payment method is not available."),
                                   fields={"provider": [_("Choose one of the payment methods offered.")]})
    return adapter_for(code, account_credentials(account))


# --- what is owed --------------------------------------------------------------------------------------------


def amount_owed(*, dealer, reference: str, currency: str) -> Decimal:
    """What the dealer still owes on order `reference` (finance.selectors.owed_by_reference); never below zero (an
    overpayment went to the balance)."""
    if not reference:
        return ZERO
    row = next(iter(owed_by_reference(LedgerEntry.objects.filter(dealer=dealer, currency=currency,
                                                                 reference=reference, creditor__isnull=True))), None)
    return max(row["owed"], ZERO) if row else ZERO


# --- payments ------------------------------------------------------------------------------------------------


def payment_start(*, actor, dealer, purpose: str, provider: str, amount, reference: str = "",
                  currency: str | None = None, return_url: str = "", notify_url: str = "",
                  method: str = "") -> tuple[Payment, Checkout]:
    """A pending payment and where the payer goes to pay it. `return_url` may hold "{payment}" (the new
    payment's id). An order payment may not exceed what is still owed on `reference`; a top-up any amount."""
    currency = ledger.clean_currency(currency or tenant_currency())
    amount = ledger.clean_amount(amount, currency)
    reference = (reference or "").strip()[:100]
    if purpose not in PaymentPurpose.values:
        raise _invalid("purpose", _("Choose an order payment or a top-up."))
    if purpose == PaymentPurpose.ORDER:
        if not reference:
            raise _invalid("reference", _("Say which order this pays (its number)."))
        owed = amount_owed(dealer=dealer, reference=reference, currency=currency)
        if owed <= 0:
            raise _invalid("reference", _("Nothing is owed on %(reference)s.") % {"reference": reference})
        if amount > owed:
            raise _invalid("amount", _("At most %(owed)s %(currency)s is still owed on %(reference)s.")
                           % {"owed": owed, "currency": currency, "reference": reference})
    else:
        reference = ""
    adapter = _adapter(provider)
    with transaction.atomic():
        payment = Payment.objects.create(
            dealer=dealer, currency=currency, amount=amount, purpose=purpose, reference=reference,
            provider=provider, idempotency_key=f"pay-{uuid.uuid4().hex}",
            created_by=actor if getattr(actor, "pk", None) else None)
        description = (_("Order %(reference)s") % {"reference": reference} if reference
                       else _("Top-up %(id)s") % {"id": f"TOPUP-{payment.pk}"})
        try:
            checkout = adapter.create(amount=amount, currency=currency, description=description,
                                      idempotency_key=payment.idempotency_key,
                                      return_url=return_url.replace("{payment}", str(payment.pk)),
                                      notify_url=notify_url, method=method)
        except ProviderError as error:
            logger.warning("finance.payment.create_refused", extra={"provider": provider, "error": str(error)})
            raise PaymentProviderFailed(_("The payment provider did not accept the payment: %(error)s")
                                        % {"error": error}) from None
        payment.provider_ref = checkout.provider_ref[:100]
        payment.redirect_url = checkout.redirect_url[:1000]
        payment.qr_code = checkout.qr_code[:1000]
        payment.save(update_fields=["provider_ref", "redirect_url", "qr_code", "updated_at"])
        audit_record(actor=actor, action="finance.payment.created", target=payment, dealer_id=dealer.pk,
                     after={"amount": str(amount), "currency": currency, "purpose": purpose, "reference": reference,
                            "provider": provider, "provider_ref": payment.provider_ref})
    return payment, checkout


def payment_succeeded(*, actor, payment: Payment, reason: str = "") -> Payment:
    """The provider took the money: the ledger gets it, once (a second call is an illegal move, 409)."""

    def post(locked: Payment, _before: str) -> list[str]:
        why = reason or _("Online payment (%(provider)s %(ref)s)") % {"provider": locked.provider,
                                                                     "ref": locked.provider_ref}
        if locked.purpose == PaymentPurpose.ORDER:
            entry = ledger.payment_record(actor=actor, dealer=locked.dealer, amount=locked.amount,
                                          currency=locked.currency, reference=locked.reference, reason=why)
        else:
            entry = ledger.top_up_record(actor=actor, dealer=locked.dealer, amount=locked.amount,
                                         currency=locked.currency, reference=f"TOPUP-{locked.pk}", reason=why)
        locked.entry, locked.paid_at, locked.failure = entry, timezone.now(), ""
        return ["entry", "paid_at", "failure", "updated_at"]

    return PAYMENT.move(actor=actor, obj=payment, action="succeed", audit=audit_record, reason=reason,
                        effects=post, then=lambda locked, _before: {"entry": locked.entry_id})


def payment_failed(*, actor, payment: Payment, reason: str = "") -> Payment:
    def note(locked: Payment, _before: str) -> list[str]:
        locked.failure = (reason or "")[:255]
        return ["failure", "updated_at"]

    return PAYMENT.move(actor=actor, obj=payment, action="fail", audit=audit_record, reason=reason, effects=note)


def _refund_post(*, actor, payment: Payment, amount: Decimal, key: str, provider_refund_id: str,
                 reason: str) -> PaymentRefund:
    """Write the refund row, its ledger row and the payment's move, on a LOCKED payment."""
    refund = PaymentRefund.objects.create(
        payment=payment, amount=amount, reason=reason[:255], idempotency_key=key,
        provider_refund_id=provider_refund_id[:100], created_by=actor if getattr(actor, "pk", None) else None)
    refund.entry = ledger.refund_record(
        actor=actor, dealer=payment.dealer, amount=amount, currency=payment.currency,
        reference=payment.ledger_reference,
        reason=reason or _("Refund of online payment (%(provider)s %(ref)s)") % {"provider": payment.provider,
                                                                                "ref": payment.provider_ref})
    refund.save(update_fields=["entry"])

    def count(locked: Payment, _before: str) -> list[str]:
        locked.amount_refunded += amount
        return ["amount_refunded", "updated_at"]

    action = "refund_all" if payment.amount_refunded + amount >= payment.amount else "refund_part"
    PAYMENT.move(actor=actor, obj=payment, action=action, audit=audit_record, reason=reason, lock=lambda row: row,
                 effects=count, then=lambda locked, _before: {"refunded": str(amount),
                                                              "amount_refunded": str(locked.amount_refunded)})
    return refund


def _lock(payment: Payment) -> Payment:
    return Payment.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=payment.pk)


@transaction.atomic
def payment_refund(*, actor, payment: Payment, amount=None, reason: str = "") -> PaymentRefund:
    """Pay back `amount` (default: all that is left) through the provider; the ledger records it at once."""
    locked = _lock(payment)
    PAYMENT.check(locked, "refund_part")
    amount = locked.refundable if amount in (None, "") else ledger.clean_amount(amount, locked.currency)
    if amount > locked.refundable:
        raise _invalid("amount", _("At most %(left)s %(currency)s is left to refund.")
                       % {"left": locked.refundable, "currency": locked.currency})
    key = f"refund-{uuid.uuid4().hex}"
    try:
        refund_id = _adapter(locked.provider).refund(provider_ref=locked.provider_ref, amount=amount,
                                                     currency=locked.currency, idempotency_key=key)
    except ProviderError as error:
        logger.warning("finance.payment.refund_refused", extra={"payment": locked.pk, "error": str(error)})
        raise PaymentProviderFailed(_("The payment provider did not accept the refund: %(error)s")
                                    % {"error": error}) from None
    refund = _refund_post(actor=actor, payment=locked, amount=amount, key=key, provider_refund_id=refund_id or "",
                          reason=(reason or "").strip())
    payment.state, payment.amount_refunded = locked.state, locked.amount_refunded
    return refund


def payment_refresh(*, payment: Payment) -> str:
    """Ask the provider how a pending (or failed) payment stands now and move ours to it: what it did, in a word
    (see payment_sync). For a provider that notifies successes only (WeChat Pay: a declined or closed order sends
    nothing), so the payer's return page and the "check again" action learn the outcome. Nothing happens when the
    payment is settled or the provider cannot be asked (ProviderNotConnected / PaymentProviderFailed)."""
    if payment.state not in (PaymentState.PENDING, PaymentState.FAILED) or not payment.provider_ref:
        return "unchanged"
    adapter = _adapter(payment.provider)
    try:
        now = adapter.fetch_status(provider_ref=payment.provider_ref)
    except ProviderError as error:
        raise PaymentProviderFailed(_("The payment provider could not be asked: %(error)s") % {"error": error}) \
            from None
    if payment.state == PaymentState.FAILED and now.status == PaymentState.FAILED:
        return "unchanged"
    return payment_sync(payment=payment, status=now.status, amount_refunded=now.amount_refunded,
                        actor=payment.provider, note=f"check-{uuid.uuid4().hex[:12]}")


# --- webhooks ------------------------------------------------------------------------------------------------


def webhook_receive(*, provider: str, headers: dict, body: bytes) -> tuple[ProviderWebhookEvent, bool]:
    """Verify one webhook delivery and process it once: (the event, True) when new; (the stored one, False) for
    a replay. WebhookNotVerified (400, nothing stored) for a bad signature or an unconnected provider;
    PaymentProviderFailed (502, nothing stored: the provider delivers again) when its status cannot be read."""
    account = ProviderAccount.objects.filter(code=provider, enabled=True).exclude(credentials="").first()
    if account is None or not provider_available(provider):
        raise WebhookNotVerified(_("No payment account is connected for this provider."))
    adapter = adapter_for(provider, account_credentials(account))
    try:
        event = adapter.verify_webhook(headers=headers, body=body)
    except WebhookRefused as error:
        logger.warning("finance.payment.webhook_refused", extra={"provider": provider, "error": str(error)})
        raise WebhookNotVerified(_("The webhook does not verify.")) from None
    with transaction.atomic():
        stored, created = ProviderWebhookEvent.objects.get_or_create(
            provider=provider, event_id=str(event.event_id)[:255],
            defaults={"provider_ref": event.provider_ref[:100], "status": (event.status or "")[:20]})
        stored = ProviderWebhookEvent.objects.select_for_update().get(pk=stored.pk)
        if stored.processed_at is not None:
            return stored, False
        stored.outcome, stored.payment = _process(provider, adapter, event)
        stored.processed_at = timezone.now()
        stored.save(update_fields=["outcome", "payment", "processed_at"])
    logger.info("finance.payment.webhook", extra={"provider": provider, "event": stored.event_id,
                                                  "outcome": stored.outcome})
    return stored, created


def _process(provider: str, adapter, event: ProviderEvent) -> tuple[str, Payment | None]:
    payment = (Payment.objects.filter(provider=provider, provider_ref=event.provider_ref).first()
               if event.provider_ref else None)
    if payment is None:
        return "not ours", None
    try:
        now = adapter.fetch_status(provider_ref=payment.provider_ref)
    except ProviderError as error:
        raise PaymentProviderFailed(_("The payment provider could not be asked: %(error)s") % {"error": error}) \
            from None
    status, refunded = now.status, now.amount_refunded
    paid = (PaymentState.SUCCEEDED, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED)
    if refunded is None and event.amount_refunded is not None and status in paid:
        # the provider's query has no refunded sum (Alipay) but its verified notification does (refund_fee: all
        # refunded so far, so a late or repeated one asks for nothing more): a refund made in its dashboard
        refunded = min(event.amount_refunded, payment.amount)
        status = PaymentState.REFUNDED if refunded >= payment.amount else PaymentState.PARTIALLY_REFUNDED
    return payment_sync(payment=payment, status=status, amount_refunded=refunded, actor=provider,
                        note=event.event_id), payment


def payment_sync(*, payment: Payment, status: str, amount_refunded: Decimal | None, actor, note: str = "") -> str:
    """Move our payment towards what the provider says now, along the legal moves only: what it did, in a word.
    A refund made at the provider (not through us) is recorded as a refund of the difference."""
    with transaction.atomic():
        locked = _lock(payment)
        paid = status in (PaymentState.SUCCEEDED, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED)
        outcome = "unchanged"
        if paid and PAYMENT.can(locked, "succeed"):
            locked = payment_succeeded(actor=actor, payment=locked)
            outcome = "succeeded"
        elif status == PaymentState.FAILED and PAYMENT.can(locked, "fail"):
            locked = payment_failed(actor=actor, payment=locked, reason=_("The provider declined the payment."))
            outcome = "failed"
        if status in (PaymentState.REFUNDED, PaymentState.PARTIALLY_REFUNDED):
            remote = locked.amount if status == PaymentState.REFUNDED and amount_refunded is None else amount_refunded
            extra = min((remote or ZERO) - locked.amount_refunded, locked.refundable)
            if extra > 0 and PAYMENT.can(locked, "refund_part"):
                _refund_post(actor=actor, payment=locked, amount=extra, key=f"{locked.provider}-{note or uuid.uuid4()}"
                             [:80], provider_refund_id="", reason=_("Refunded at the payment provider."))
                outcome = "refunded"
        payment.state, payment.amount_refunded = locked.state, locked.amount_refunded
        return outcome
