"""Reads of rebates: rules and runs (brand finance), and the dealer's rebate pool (the storefront's finance pages
and order submission show it)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tenant_apps.core.money import tenant_currency
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.errors import RebateLineNotFound, RebateRuleNotFound, RebateRunNotFound
from tenant_apps.finance.models import DealerAccount, RebateLine, RebateRule, RebateRun

ZERO = Decimal("0.00")


def _id(value) -> int | None:
    return int(value) if str(value).isdigit() and len(str(value)) < 19 else None


def rebate_rules() -> QuerySet[RebateRule]:
    return RebateRule.objects.prefetch_related("dealer_tiers", "territories", "dealers").annotate(
        run_count=Count("runs"))


def rebate_rule_get(*, rule_id) -> RebateRule:
    rule = rebate_rules().filter(pk=_id(rule_id)).first() if _id(rule_id) else None
    if rule is None:
        raise RebateRuleNotFound(_("No such rebate rule."))
    return rule


def rebate_runs_visible_to(user) -> QuerySet[RebateRun]:
    """Runs with their totals over the lines of dealers in the user's scope."""
    scope = Q(lines__dealer__in=dealers_visible_to(user))
    return RebateRun.objects.select_related("rule", "approved_by").annotate(
        line_count=Count("lines", filter=scope),
        total=Coalesce(Sum("lines__amount", filter=scope & Q(lines__excluded=False)), ZERO))


def rebate_run_get_for(*, actor, run_id) -> RebateRun:
    """The run, with its lines of dealers in the actor's scope prefetched (`scoped_lines`)."""
    run = rebate_runs_visible_to(actor).filter(pk=_id(run_id)).prefetch_related(Prefetch(
        "lines", queryset=RebateLine.objects.filter(dealer__in=dealers_visible_to(actor))
        .select_related("dealer", "entry").order_by("dealer__code"), to_attr="scoped_lines")).first() \
        if _id(run_id) else None
    if run is None:
        raise RebateRunNotFound(_("No such rebate run."))
    return run


def rebate_line_get_for(*, actor, line_id) -> RebateLine:
    line = RebateLine.objects.filter(pk=_id(line_id), dealer__in=dealers_visible_to(actor)).select_related(
        "run", "dealer").first() if _id(line_id) else None
    if line is None:
        raise RebateLineNotFound(_("No such rebate line."))
    return line


def rebate_pool(*, dealer, currency: str | None = None) -> Decimal:
    """The dealer's rebate pool (what rebates credited and orders have not spent yet) in `currency`."""
    return (DealerAccount.objects.filter(dealer=dealer, currency=currency or tenant_currency(), creditor__isnull=True)
            .values_list("rebate_balance", flat=True).first()) or ZERO


def rebate_lines_of(*, dealer, limit: int = 20) -> list[RebateLine]:
    """The dealer's latest approved rebates (for its finance page)."""
    return list(RebateLine.objects.filter(dealer=dealer, entry__isnull=False).select_related("run__rule")
                .order_by("-run__period_start", "-pk")[:limit])
