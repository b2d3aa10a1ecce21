"""Template tags of the finance pages: the console section's tabs and the storefront account tabs, so that every
finance area's page shows them by extending finance/console/base.html or finance/storefront/base.html, with no
context of its own to pass."""

from __future__ import annotations

from django import template

from tenant_apps.dealers.views_storefront import account_tabs
from tenant_apps.finance.tabs import tabs_for

register = template.Library()


@register.inclusion_tag("finance/console/_tabs.html", takes_context=True)
def finance_tabs(context) -> dict:
    """`{% finance_tabs %}`: the finance section's tabs (finance.tabs) the reader may open."""
    return {"finance_tabs": tabs_for(context["request"])}


@register.inclusion_tag("dealers/storefront/_tabs.html", takes_context=True)
def finance_account_tabs(context) -> dict:
    """`{% finance_account_tabs %}`: the dealer's account tabs (My account, My company, ..., Finance account)."""
    return {"tabs": account_tabs(context["request"], "finance")}
