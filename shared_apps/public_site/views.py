from django.shortcuts import render
from django.utils.translation import get_language

from billing_saas.selectors import plan_currencies, plan_offers, plans_for_signup


def home(request):
    """The platform's own landing page (the operator host), with the plans and their prices as the database holds
    them, in the currency asked for (`?currency=USD`; by default CNY in Chinese, USD in English when offered)."""
    plans = plans_for_signup()
    currencies = plan_currencies(plans)
    currency = request.GET.get("currency", "").upper()
    if currency not in currencies:
        preferred = "CNY" if (get_language() or "").startswith("zh") else "USD"
        currency = preferred if preferred in currencies else (currencies[0] if currencies else "")
    return render(request, "public_site/home.html", {
        "offers": plan_offers(plans, currency) if currency else [], "currency": currency, "currencies": currencies,
    })
