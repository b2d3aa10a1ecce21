"""Online payment pages. Storefront (a dealer's finance.pay): pay what is owed on an order, top up the balance,
see a payment come back from the provider. Console (brand finance.edit): connect the brand's provider accounts
(secrets masked, the webhook URL to paste), the payments list with refunds. And the providers' webhook endpoint
(no session, no CSRF: the signature is the check)."""

from __future__ import annotations

import segno
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from billing_saas.stripe_gateway import hosted_origins
from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_PAY, FINANCE_VIEW, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.core.money import tenant_currency
from tenant_apps.finance import storefront_blocks, tabs
from tenant_apps.finance.api.views_payments import return_url_for, webhook_url_for
from tenant_apps.finance.models import PaymentPurpose, PaymentState, ProviderAccount
from tenant_apps.finance.payments import selectors, services
from tenant_apps.finance.payments.registry import ADAPTERS, adapter_module

APP_SCHEMES = ("weixin://", "alipays://", "alipay://", "https://")


def _message(error: DomainError) -> str:
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([str(error.detail), *[d for d in details if d != str(error.detail)]])


def _pay_origins() -> list[str]:
    """Where our payment forms' redirects go on (CSP form-action): Stripe's pages (or the local fake's), and those
    of the other adapters that send the payer to a page (their module's `hosted_origins()`)."""
    origins = ["'self'", *hosted_origins()]
    for code in ADAPTERS:
        if code != "stripe" and services.provider_available(code):
            for origin in getattr(adapter_module(code), "hosted_origins", list)():
                if origin not in origins:
                    origins.append(origin)
    return origins


def qr_svg(code: str) -> str:
    """The code to scan as an SVG data: URI for an <img> (the CSP's img-src takes data:); "" for none."""
    if not code:
        return ""
    try:
        return segno.make(code, error="m").svg_data_uri(scale=5, border=2)
    except (ValueError, segno.DataOverflowError):
        return ""


def _providers() -> list[dict]:
    return [{"code": account.code, "name": services.PROVIDER_NAMES.get(account.code, account.code)}
            for account in services.providers_enabled()]


def _start(request, *, purpose: str, reference: str = ""):
    """Start the payment the form asks for and send the payer to the provider; (None, error) when refused."""
    try:
        payment, checkout = services.payment_start(
            actor=request.user, dealer=request.user.dealer, purpose=purpose,
            provider=request.POST.get("provider", "")[:20], amount=request.POST.get("amount", "").strip()[:40],
            reference=reference, method=request.POST.get("method", "")[:20], return_url=return_url_for(request),
            notify_url=webhook_url_for(request, request.POST.get("provider", "stripe")[:20] or "stripe"))
    except DomainError as error:
        return None, error
    if checkout.redirect_url:
        return redirect(checkout.redirect_url), None
    return redirect("finance:payment_return", payment.pk), None


def _dealer_only(request) -> None:
    if request.user.dealer_id is None:
        raise PermissionDenied


@requires(FINANCE_PAY)
@require_http_methods(["GET", "POST"])
def pay_page(request):
    """Pay (part of) what is still owed on one order (`?order=<number>`)."""
    _dealer_only(request)
    number = (request.GET.get("order") or request.POST.get("order") or "").strip()[:100]
    currency = tenant_currency()
    owed = services.amount_owed(dealer=request.user.dealer, reference=number, currency=currency) if number else None
    errors, status = {}, 200
    if request.method == "POST":
        response, error = _start(request, purpose=PaymentPurpose.ORDER, reference=number)
        if response is not None:
            return response
        errors, status = error.fields, error.status
        messages.error(request, _message(error))
    response = render(request, "finance/payments/pay.html", {
        "order": number, "owed": owed, "currency": currency, "providers": _providers(), "errors": errors,
        "posted": request.POST,
    }, status=status)
    return csp_update({"form-action": _pay_origins()})(lambda _request: response)(request)


@requires(FINANCE_PAY)
@require_http_methods(["GET", "POST"])
def top_up_page(request):
    _dealer_only(request)
    errors, status = {}, 200
    if request.method == "POST":
        response, error = _start(request, purpose=PaymentPurpose.TOP_UP)
        if response is not None:
            return response
        errors, status = error.fields, error.status
        messages.error(request, _message(error))
    response = render(request, "finance/payments/top_up.html", {
        "currency": tenant_currency(), "providers": _providers(), "errors": errors, "posted": request.POST,
    }, status=status)
    return csp_update({"form-action": _pay_origins()})(lambda _request: response)(request)


@requires(FINANCE_PAY)
@require_http_methods(["GET", "POST"])
def payment_return(request, payment_id):
    """Back from the provider (or showing the code to scan): the payment as we know it, pending until the
    provider's webhook arrives. A POST ("Check with the provider") asks it now; so does every GET of a pending
    payment at a provider whose module says POLL_ON_RETURN (WeChat Pay notifies successes only: a declined or
    unpaid order is learnt only by asking). A provider that cannot be asked leaves the payment as it is."""
    _dealer_only(request)
    try:
        payment = selectors.payment_get_for(actor=request.user, payment_id=payment_id)
    except DomainError:
        raise Http404 from None
    poll = getattr(adapter_module(payment.provider), "POLL_ON_RETURN", False) if payment.provider in ADAPTERS \
        else False
    if payment.state == PaymentState.PENDING and (request.method == "POST" or poll):
        try:
            services.payment_refresh(payment=payment)
        except DomainError as error:
            if request.method == "POST":
                messages.error(request, _message(error))
    if request.method == "POST":
        return redirect("finance:payment_return", payment.pk)
    # a code to open in the payer's app (WeChat Pay's weixin://, Alipay's): links only of those schemes
    app_link = payment.qr_code if payment.qr_code.startswith(APP_SCHEMES) else ""
    pending = payment.state == PaymentState.PENDING
    return render(request, "finance/payments/return.html", {
        "payment": payment, "pending": pending, "app_link": app_link,
        "qr_svg": qr_svg(payment.qr_code) if pending else "", "fake_page": _fake_page(payment) if pending else "",
        "provider_name": services.PROVIDER_NAMES.get(payment.provider, payment.provider),
    })


def _fake_page(payment) -> str:
    """Development with the local fakes (settings.CNPAY_FAKE): where the code is paid in a browser (no app scans
    it): the WeChat Pay fake's page for a weixin:// code, the Alipay fake's cashier for its code. "" otherwise."""
    if not settings.CNPAY_FAKE or not payment.qr_code:
        return ""
    if payment.provider == "wechatpay" and payment.qr_code.startswith("weixin://wxpay/bizpayurl?pr="):
        return f"{settings.WECHATPAY_API_BASE}/pay/{payment.qr_code.rsplit('=', 1)[1]}"
    if payment.provider == "alipay" and payment.qr_code.startswith(settings.ALIPAY_GATEWAY.rsplit("/", 1)[0] + "/"):
        return payment.qr_code
    return ""


# --- console -------------------------------------------------------------------------------------------------


def _provider_rows(request) -> list[dict]:
    accounts = {account.code: account for account in ProviderAccount.objects.all()}
    rows = []
    for code in ADAPTERS:
        available = services.provider_available(code)
        account = accounts.get(code)
        rows.append({
            "code": code, "name": services.PROVIDER_NAMES.get(code, code), "available": available,
            "account": account, "connected": bool(account and account.enabled and account.credentials),
            "fields": services.credential_fields(code) if available else [],
            "hints": account.credential_hints if account else {},
            "webhook_url": webhook_url_for(request, code),
        })
    return rows


@requires(FINANCE_EDIT)
@require_http_methods(["GET", "POST"])
def providers_page(request):
    errors, status, posted_code = {}, 200, ""
    if request.method == "POST":
        code = request.POST.get("code", "")[:20]
        try:
            if request.POST.get("action") == "disconnect":
                services.provider_disconnect(actor=request.user, code=code)
                messages.success(request, _("Disconnected."))
            else:
                posted_code = code
                fields = services.credential_fields(code) if services.provider_available(code) else []
                services.provider_connect(
                    actor=request.user, code=code,
                    credentials={field.name: request.POST.get(field.name, "") for field in fields},
                    webhook_secret=request.POST.get("webhook_secret", ""))
                messages.success(request, _("Connected. Payments can now be made with it."))
        except DomainError as error:
            errors, status = error.fields, error.status
            messages.error(request, _message(error))
        else:
            return redirect("finance_console:providers")
    return render(request, "finance/payments/providers.html", {
        "rows": _provider_rows(request), "errors": errors, "posted_code": posted_code,
    }, status=status)


@requires(FINANCE_VIEW)
def payments_page(request):
    payments = selectors.payments_visible_to(request.user)
    state = request.GET.get("state", "")
    if state in PaymentState.values:
        payments = payments.filter(state=state)
    return render(request, "finance/payments/payments.html", {
        "listing": listing(request, payments, sorts={"created": "created_at", "amount": "amount"}, default="-created",
                           per_page=25),
        "states": PaymentState.choices, "state": state, "can_refund": has_perm(request.user, FINANCE_EDIT),
    })


@requires(FINANCE_EDIT)
@require_POST
def payment_refund(request, payment_id):
    try:
        payment = selectors.payment_get_for(actor=request.user, payment_id=payment_id)
    except DomainError:
        raise Http404 from None
    try:
        services.payment_refund(actor=request.user, payment=payment,
                                amount=request.POST.get("amount", "").strip()[:40] or None,
                                reason=request.POST.get("reason", "")[:255])
    except DomainError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Refunded."))
    return redirect(reverse("finance_console:payments") + f"#payment-{payment.pk}")


# --- the providers' webhooks ---------------------------------------------------------------------------------


@csrf_exempt  # a provider cannot send a CSRF token: the signature of the raw body is the check
@require_POST
def payment_webhook(request, provider):
    """200 once processed (a replay too, doing nothing again); 400 for a bad signature (nothing stored); 502 when
    the provider cannot be asked (nothing stored: it delivers again)."""
    if provider not in ADAPTERS:
        raise Http404
    try:
        _event, created = services.webhook_receive(provider=provider, headers=dict(request.headers),
                                                   body=request.body)
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    # an adapter module may name the answer its provider expects (Alipay: "success"): WEBHOOK_ACK = (body, type)
    ack = getattr(adapter_module(provider), "WEBHOOK_ACK", None)
    if ack:
        return HttpResponse(ack[0], content_type=ack[1])
    return HttpResponse("ok" if created else "already received", content_type="text/plain")


tabs.register("finance_console:payments", gettext_lazy("Online payments"), FINANCE_VIEW, order=45)
tabs.register("finance_console:providers", gettext_lazy("Payment providers"), FINANCE_EDIT, order=85)
storefront_blocks.register_action("finance:top_up", gettext_lazy("Top up"), FINANCE_PAY, order=10)
