"""Brand console: the workspace's plan and billing (the owner's page). The plan, its state and what the workspace
uses against the plan's limits; changing plan with the price difference shown before confirming; paying by card
through Stripe Checkout (renews by itself) or periods ahead by Alipay / WeChat Pay; the card and invoices in
Stripe's portal; cancelling at the end of the period. Every write is a billing service or a Stripe session made
on demand (never stored)."""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from billing_saas import services, stripe_gateway
from billing_saas.models import PrepaidPayment, Renewal, SubscriptionState
from billing_saas.selectors import plans_for_signup
from billing_saas.usage import usage_now, usage_report
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import BILLING_MANAGE
from tenant_apps.core.errors import DomainError
from tenants.forms import PlanChoiceForm, PrepayForm


def _subscription(request):
    return request.tenant.subscription


def _absolute(request, name: str, query: str = "") -> str:
    return request.build_absolute_uri(reverse(name)) + query


def _to_stripe(request, make_url):
    """On to one of Stripe's hosted pages (a session made now, never stored), or back with the reason it failed."""
    try:
        return redirect(make_url())
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("console:billing")


def _plan_rows(subscription, plans):
    rows = []
    for plan in plans:
        rows.append({
            "plan": plan, "current": plan.pk == subscription.plan_id,
            "month": plan.price(subscription.currency, "month"), "year": plan.price(subscription.currency, "year"),
        })
    return rows


@requires(BILLING_MANAGE)
@require_http_methods(["GET"])
def billing(request):
    subscription = _subscription(request)
    plans = plans_for_signup()
    payments = list(PrepaidPayment.objects.filter(subscription=subscription).order_by("-created_at")[:24])
    invoices, invoices_error = [], ""
    if subscription.stripe_customer_id:
        try:
            invoices = stripe_gateway.invoices(subscription=subscription)
        except DomainError as error:
            invoices_error = error.detail
        labels = {"paid": pgettext("invoice status", "Paid"), "open": pgettext("invoice status", "Open"),
                  "draft": pgettext("invoice status", "Draft"), "void": pgettext("invoice status", "Void"),
                  "uncollectible": pgettext("invoice status", "Uncollectible")}
        for invoice in invoices:
            invoice["status_label"] = labels.get(invoice["status"], invoice["status"])
    if request.GET.get("paid"):
        messages.success(request, _("Thank you: your payment was received."))
    response = render(request, "tenants/console/billing.html", {
        "subscription": subscription,
        "price": subscription.price,
        "usage": usage_report(),
        "plans": _plan_rows(subscription, plans),
        "payments": payments,
        "invoices": invoices,
        "invoices_error": invoices_error,
        "prepay_form": PrepayForm(),
        "can_pay_by_card": subscription.renewal != Renewal.CARD or subscription.state != SubscriptionState.ACTIVE,
        "test_mode": stripe_gateway.is_test_mode(),
    })
    # its forms redirect on to Stripe's hosted pages (Checkout, the portal): CSP's form-action allows them here only
    return csp_update({"form-action": ["'self'", *stripe_gateway.hosted_origins()]})(lambda _request: response)(request)


@requires(BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_change(request):
    """GET: what changing to the plan costs now and when it takes effect; POST: confirm it (the amount shown)."""
    subscription = _subscription(request)
    form = PlanChoiceForm(request.POST or request.GET or None, plans=plans_for_signup())
    if not form.is_valid():
        messages.error(request, _("Choose one of the plans offered."))
        return redirect("console:billing")
    plan, interval = form.cleaned_data["plan"], form.cleaned_data["interval"]
    usage = usage_now()
    try:
        preview = services.plan_change_preview(subscription=subscription, plan=plan, interval=interval, usage=usage)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("console:billing")
    if request.method == "POST" and not preview.over:
        try:
            if subscription.renewal == Renewal.CARD and subscription.stripe_subscription_id and \
                    preview.kind in ("upgrade", "downgrade"):
                stripe_gateway.plan_change(subscription=subscription, plan=plan, interval=interval, usage=usage,
                                           expected_due=preview.due_now, actor=request.user)
            else:
                services.subscription_plan_change(actor=request.user, subscription=subscription, plan=plan,
                                                  interval=interval, usage=usage, expected_due=preview.due_now)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Your plan was changed.") if preview.kind != "downgrade" else _(
                "Your plan changes at the end of the period you paid for."))
            return redirect("console:billing")
    return render(request, "tenants/console/billing_change.html", {
        "subscription": subscription, "preview": preview, "form": form, "plan": plan, "interval": interval,
        "price": plan.price(subscription.currency, interval),
    })


@requires(BILLING_MANAGE)
@require_POST
def checkout(request):
    """Pay by card: Stripe Checkout for the chosen plan (a session made now, never stored)."""
    subscription = _subscription(request)
    form = PlanChoiceForm(request.POST, plans=plans_for_signup())
    if not form.is_valid():
        messages.error(request, _("Choose one of the plans offered."))
        return redirect("console:billing")
    return _to_stripe(request, lambda: stripe_gateway.checkout_url(
        subscription=subscription, plan=form.cleaned_data["plan"], interval=form.cleaned_data["interval"],
        success_url=_absolute(request, "console:billing", "?paid=1"),
        cancel_url=_absolute(request, "console:billing"), actor=request.user))


@requires(BILLING_MANAGE)
@require_POST
def portal(request):
    """The card and invoices in Stripe's customer portal (a session made now, never stored)."""
    return _to_stripe(request, lambda: stripe_gateway.portal_url(
        subscription=_subscription(request), return_url=_absolute(request, "console:billing")))


@requires(BILLING_MANAGE)
@require_POST
def prepay(request):
    """Periods ahead by Alipay or WeChat Pay: a one-off payment on Stripe's page moves the paid-through date."""
    subscription = _subscription(request)
    form = PrepayForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("console:billing")

    def prepaid_url() -> str:
        payment = services.prepaid_payment_create(actor=request.user, subscription=subscription,
                                                  method=form.cleaned_data["method"],
                                                  periods=form.cleaned_data["periods"])
        return stripe_gateway.prepaid_checkout_url(payment=payment,
                                                   success_url=_absolute(request, "console:billing", "?paid=1"),
                                                   cancel_url=_absolute(request, "console:billing"),
                                                   actor=request.user)

    return _to_stripe(request, prepaid_url)


@requires(BILLING_MANAGE)
@require_POST
def cancel(request):
    subscription = _subscription(request)
    try:
        if subscription.stripe_subscription_id:
            stripe_gateway.cancel_at_period_end(subscription=subscription, actor=request.user,
                                                reason=request.POST.get("reason", "")[:500])
        else:
            services.subscription_cancel(actor=request.user, subscription=subscription,
                                         reason=request.POST.get("reason", "")[:500])
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Your subscription ends at the end of the period you paid for."))
    return redirect("console:billing")


@requires(BILLING_MANAGE)
@require_POST
def resume(request):
    subscription = _subscription(request)
    try:
        if subscription.stripe_subscription_id:
            stripe_gateway.resume(subscription=subscription, actor=request.user)
        else:
            services.subscription_resume(actor=request.user, subscription=subscription)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Your subscription goes on."))
    return redirect("console:billing")
