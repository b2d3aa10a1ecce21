"""Rebates (返利) and price-protection credits: the rules, the run computed after each period closes, its review and
approval (each line credited to the dealer's rebate pool once), and what the pool may pay of an order. Credits go
through finance.services.ledger_post under the account's row lock, and are idempotent by (kind, reference): a
second call for the same reference returns the entry already written. Models: models/rebates.py."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.core.money import minor_unit, tenant_currency
from tenant_apps.dealers.models import Dealer
from tenant_apps.finance import rebate_basis
from tenant_apps.finance.errors import FinanceInvalid, RebateRuleInUse, RebateRunNotDraft
from tenant_apps.finance.models import (
    DealerAccount,
    EntryKind,
    LedgerEntry,
    RebateLine,
    RebateMode,
    RebatePeriod,
    RebateRule,
    RebateRun,
    RebateRunStatus,
)
from tenant_apps.finance.services import (
    ZERO,
    _locked,
    clean_amount,
    clean_currency,
    finance_settings,
    ledger_post,
)

MAX_TIERS = 10
RATE_MAX = Decimal("100")


def _invalid(fields: dict[str, list[str]]) -> FinanceInvalid:
    return FinanceInvalid(_("Check the rebate rule."), fields=fields)


# --- periods -------------------------------------------------------------------------------------------------


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The period (month, quarter or year) holding `day`: (first day, last day)."""
    if period == RebatePeriod.MONTH:
        first_month, months = day.month, 1
    elif period == RebatePeriod.QUARTER:
        first_month, months = (day.month - 1) // 3 * 3 + 1, 3
    else:
        first_month, months = 1, 12
    last_month = first_month + months - 1
    return (date(day.year, first_month, 1),
            date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]))


def last_closed_period(period: str, today: date) -> tuple[date, date]:
    """The latest period that ended before `today`."""
    start, _end = period_bounds(period, today)
    return period_bounds(period, start - timedelta(days=1))


# --- tiers and the rate --------------------------------------------------------------------------------------


def tiers_clean(tiers, currency: str) -> list[dict]:
    """[{"threshold": "1000000.00", "rate": "2.00"}, ...] checked (a threshold at or above zero in the currency's
    unit, each once; a rate from 0 to 100 % with up to 3 decimals) and sorted by threshold."""
    if not isinstance(tiers, list) or not tiers:
        raise _invalid({"tiers": [_("Add at least one tier (a threshold and a rate).")]})
    if len(tiers) > MAX_TIERS:
        raise _invalid({"tiers": [_("At most %(count)s tiers.") % {"count": MAX_TIERS}]})
    cleaned = []
    for tier in tiers:
        if not isinstance(tier, dict):
            raise _invalid({"tiers": [_("Each tier has a threshold and a rate.")]})
        threshold = clean_amount(tier.get("threshold"), currency, field="tiers", zero=True)
        try:
            rate = Decimal(str(tier.get("rate")).strip())
        except (ArithmeticError, ValueError):
            rate = Decimal("NaN")
        if isinstance(tier.get("rate"), bool | float) or not rate.is_finite() or not ZERO <= rate <= RATE_MAX \
                or rate != rate.quantize(Decimal("0.001")):
            raise _invalid({"tiers": [_("A rate is a percentage from 0 to 100 with at most 3 decimals.")]})
        cleaned.append({"threshold": threshold, "rate": rate.quantize(Decimal("0.001"))})
    cleaned.sort(key=lambda tier: tier["threshold"])
    if len({tier["threshold"] for tier in cleaned}) != len(cleaned):
        raise _invalid({"tiers": [_("Two tiers have the same threshold.")]})
    return [{"threshold": str(tier["threshold"]), "rate": str(tier["rate"])} for tier in cleaned]


@dataclass(frozen=True)
class Rebate:
    rate: Decimal  # the rate of the highest tier reached (0: none)
    amount: Decimal  # rounded half up to the currency's minor unit


def rebate_compute(*, mode: str, tiers: list[dict], basis: Decimal, currency: str) -> Rebate:
    """The rebate on `basis` (tiers as tiers_clean gives them; see models/rebates.py for the two modes). A tier
    is reached when the basis is at or above its threshold."""
    steps = [(Decimal(tier["threshold"]), Decimal(tier["rate"])) for tier in tiers]
    reached = [(threshold, rate) for threshold, rate in steps if basis >= threshold and basis > 0]
    if not reached:
        return Rebate(rate=ZERO, amount=ZERO)
    top_rate = reached[-1][1]
    if mode == RebateMode.WHOLE:
        raw = basis * top_rate / 100
    else:
        raw = Decimal(0)
        for index, (threshold, rate) in enumerate(reached):
            ceiling = steps[index + 1][0] if index + 1 < len(steps) else basis
            raw += (min(basis, ceiling) - threshold) * rate / 100
    return Rebate(rate=top_rate, amount=raw.quantize(minor_unit(currency), rounding=ROUND_HALF_UP))


# --- rules ---------------------------------------------------------------------------------------------------


def _rule_fields(*, name, period, mode, tiers, active_from, active_to, currency) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join(str(name or "").split())
    if not name or len(name) > 200:
        errors["name"] = [_("Give the rule a name (at most 200 characters).")]
    if period not in RebatePeriod.values:
        errors["period"] = [_("Choose month, quarter or year.")]
    if mode not in RebateMode.values:
        errors["mode"] = [_("Choose whether the rate applies to the whole amount or to the part above.")]
    if not isinstance(active_from, date):
        errors["active_from"] = [_("Give the first day the rule applies.")]
    if active_to is not None and (not isinstance(active_to, date)
                                  or (isinstance(active_from, date) and active_to < active_from)):
        errors["active_to"] = [_("The last day cannot be before the first.")]
    if errors:
        raise _invalid(errors)
    return {"name": name, "period": period, "mode": mode, "tiers": tiers_clean(tiers, currency),
            "active_from": active_from, "active_to": active_to, "currency": currency}


def _rule_state(rule: RebateRule) -> dict:
    return {"name": rule.name, "period": rule.period, "mode": rule.mode, "tiers": rule.tiers,
            "currency": rule.currency, "active_from": str(rule.active_from), "active_to": str(rule.active_to),
            "dealer_tiers": sorted(t.pk for t in rule.dealer_tiers.all()),
            "territories": sorted(t.pk for t in rule.territories.all()),
            "dealers": sorted(d.pk for d in rule.dealers.all())}


@transaction.atomic
def rebate_rule_create(*, actor, name: str, period: str, mode: str, tiers: list, active_from: date,
                       active_to: date | None = None, currency: str | None = None, dealer_tiers=(),
                       territories=(), dealers=()) -> RebateRule:
    """A rebate rule; `dealer_tiers`, `territories`, `dealers` narrow who it covers (empty: every dealer)."""
    currency = clean_currency(currency or tenant_currency())
    fields = _rule_fields(name=name, period=period, mode=mode, tiers=tiers, active_from=active_from,
                          active_to=active_to, currency=currency)
    rule = RebateRule.objects.create(created_by=actor if getattr(actor, "pk", None) else None, **fields)
    rule.dealer_tiers.set(dealer_tiers)
    rule.territories.set(territories)
    rule.dealers.set(dealers)
    audit_record(actor=actor, action="finance.rebate_rule.created", target=rule, after=_rule_state(rule))
    return rule


@transaction.atomic
def rebate_rule_update(*, actor, rule: RebateRule, name: str, period: str, mode: str, tiers: list,
                       active_from: date, active_to: date | None = None, dealer_tiers=(), territories=(),
                       dealers=()) -> RebateRule:
    """Replace the rule's terms. Runs already computed keep the tiers they were computed with; a rule with runs
    keeps its period (the runs are per period)."""
    rule = RebateRule.objects.select_for_update().get(pk=rule.pk)
    before = _rule_state(rule)
    fields = _rule_fields(name=name, period=period, mode=mode, tiers=tiers, active_from=active_from,
                          active_to=active_to, currency=rule.currency)
    if fields["period"] != rule.period and rule.runs.exists():
        raise _invalid({"period": [_("This rule has runs already; make a new rule for another period.")]})
    for key, value in fields.items():
        setattr(rule, key, value)
    rule.save()
    rule.dealer_tiers.set(dealer_tiers)
    rule.territories.set(territories)
    rule.dealers.set(dealers)
    audit_record(actor=actor, action="finance.rebate_rule.updated", target=rule, before=before,
                 after=_rule_state(rule))
    return rule


@transaction.atomic
def rebate_rule_delete(*, actor, rule: RebateRule) -> None:
    rule = RebateRule.objects.select_for_update().get(pk=rule.pk)
    if rule.runs.exists():
        raise RebateRuleInUse(_("This rule has runs; end it with an end date instead of deleting it."))
    audit_record(actor=actor, action="finance.rebate_rule.deleted", target=rule, before=_rule_state(rule))
    rule.delete()


def rule_dealers(rule: RebateRule):
    """The dealers a rule covers."""
    dealers = Dealer.objects.all()
    tier_ids = [t.pk for t in rule.dealer_tiers.all()]
    territory_ids = [t.pk for t in rule.territories.all()]
    dealer_ids = [d.pk for d in rule.dealers.all()]
    if tier_ids:
        dealers = dealers.filter(tier_id__in=tier_ids)
    if territory_ids:
        dealers = dealers.filter(territories__in=territory_ids)
    if dealer_ids:
        dealers = dealers.filter(pk__in=dealer_ids)
    return dealers.distinct()


# --- runs ----------------------------------------------------------------------------------------------------


def rebate_run_compute(*, actor, rule: RebateRule, period_start: date) -> RebateRun:
    """The rule's run for the period that starts on `period_start` (a closed one): per dealer it covers, the
    basis (shipped net of returns, through rebate_basis) and the rebate; a line for each dealer owed one.
    Idempotent: a run for this rule and period is returned as it is (one per rule and period)."""
    start, end = period_bounds(rule.period, period_start)
    existing = RebateRun.objects.filter(rule=rule, period_start=start).first()
    if existing is not None:
        return existing
    if end >= timezone.localdate():
        raise _invalid({"period_start": [_("The period has not closed yet.")]})
    dealer_ids = list(rule_dealers(rule).values_list("pk", flat=True))
    basis = rebate_basis.shipped_net(start, end, dealer_ids, currency=rule.currency)
    try:
        with transaction.atomic():
            run = RebateRun.objects.create(rule=rule, period_start=start, period_end=end, currency=rule.currency,
                                           mode=rule.mode, tiers=rule.tiers)
            lines = []
            for dealer_id in sorted(basis):
                amount = basis[dealer_id].quantize(minor_unit(rule.currency), rounding=ROUND_HALF_UP)
                rebate = rebate_compute(mode=rule.mode, tiers=rule.tiers, basis=amount, currency=rule.currency)
                if rebate.amount > 0:
                    lines.append(RebateLine(run=run, dealer_id=dealer_id, basis=amount, rate=rebate.rate,
                                            amount=rebate.amount))
            RebateLine.objects.bulk_create(lines)
            audit_record(actor=actor, action="finance.rebate_run.computed", target=run, after={
                "rule": rule.pk, "period": f"{start}..{end}", "lines": len(lines),
                "total": str(sum((line.amount for line in lines), ZERO))})
    except IntegrityError:  # computed meanwhile by another worker
        return RebateRun.objects.get(rule=rule, period_start=start)
    return run


def rebate_runs_due(*, today: date | None = None) -> int:
    """For every rule active in its last closed period: that period's run, if missing (the beat task, daily).
    Returns how many runs were made."""
    today = today or timezone.localdate()
    made = 0
    for rule in RebateRule.objects.order_by("pk"):
        start, end = last_closed_period(rule.period, today)
        if rule.active_from > end or (rule.active_to is not None and rule.active_to < start):
            continue
        if not RebateRun.objects.filter(rule=rule, period_start=start).exists():
            rebate_run_compute(actor=None, rule=rule, period_start=start)
            made += 1
    return made


def _draft(run_id: int) -> RebateRun:
    run = RebateRun.objects.select_for_update().get(pk=run_id)
    if run.status != RebateRunStatus.DRAFT:
        raise RebateRunNotDraft(_("This run was approved already; its lines no longer change."))
    return run


@transaction.atomic
def rebate_line_exclude(*, actor, line: RebateLine, excluded: bool = True, reason: str = "") -> RebateLine:
    """Leave a line out of the run's approval (with a reason), or take it back in."""
    _draft(line.run_id)
    line = RebateLine.objects.select_for_update().get(pk=line.pk)
    reason = " ".join(str(reason or "").split())[:255]
    if excluded and not reason:
        raise FinanceInvalid(_("Say why this line is excluded."),
                             fields={"reason": [_("Say why this line is excluded.")]})
    before = {"excluded": line.excluded, "reason": line.exclude_reason}
    line.excluded, line.exclude_reason = excluded, reason if excluded else ""
    line.save(update_fields=["excluded", "exclude_reason"])
    audit_record(actor=actor, action="finance.rebate_line.excluded" if excluded else "finance.rebate_line.included",
                 target=line, dealer_id=line.dealer_id, reason=reason, before=before,
                 after={"excluded": line.excluded, "amount": str(line.amount)})
    return line


@transaction.atomic
def rebate_run_approve(*, actor, run: RebateRun) -> RebateRun:
    """Approve a run: every line not excluded is credited to its dealer's rebate pool (reference RB-<line>), in
    one transaction; the run is approved once (RebateRunNotDraft, 409, after that)."""
    run = _draft(run.pk)
    credited, total = 0, ZERO
    for line in run.lines.select_related("dealer").select_for_update(of=("self",)).order_by("dealer_id"):
        if line.excluded or line.entry_id:
            continue
        line.entry = rebate_credit(actor=actor, dealer=line.dealer, amount=line.amount, currency=run.currency,
                                   reference=f"RB-{line.pk}",
                                   reason=_("Rebate %(rule)s %(start)s–%(end)s") % {
                                       "rule": run.rule.name, "start": run.period_start, "end": run.period_end})
        line.save(update_fields=["entry"])
        credited, total = credited + 1, total + line.amount
    run.status, run.approved_by, run.approved_at = (RebateRunStatus.APPROVED,
                                                     actor if getattr(actor, "pk", None) else None, timezone.now())
    run.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, action="finance.rebate_run.approved", target=run,
                 before={"status": RebateRunStatus.DRAFT},
                 after={"status": run.status, "credited": credited, "total": str(total)})
    return run


# --- credits -------------------------------------------------------------------------------------------------


def _credit(*, actor, dealer, amount, currency: str, reference: str, reason: str, kind: str,
            pool: bool) -> LedgerEntry:
    currency = clean_currency(currency)
    amount = clean_amount(amount, currency)
    reference = str(reference or "").strip()
    if not reference:
        raise FinanceInvalid(_("A credit names what it is for."), fields={"reference": [_("Required.")]})
    with transaction.atomic():
        account = _locked(dealer, currency)  # a repeat for the same reference waits here, then finds the first
        done = account.entries.filter(kind=kind, reference=reference[:100]).first()
        if done is not None:
            return done
        if pool:
            return ledger_post(actor=actor, account=account, kind=kind, rebate_delta=amount, reference=reference,
                               reason=reason)
        return ledger_post(actor=actor, account=account, kind=kind, balance_delta=amount, reference=reference,
                           reason=reason)


def rebate_credit(*, actor, dealer, amount, currency: str, reference: str, reason: str = "") -> LedgerEntry:
    """Credit a rebate to the dealer's rebate pool (rebate_delta = +amount). Once per reference: a repeat
    returns the first entry."""
    return _credit(actor=actor, dealer=dealer, amount=amount, currency=currency, reference=reference,
                   reason=reason, kind=EntryKind.REBATE, pool=True)


def price_protection_credit(*, actor, dealer, amount, currency: str, reference: str,
                            reason: str = "") -> LedgerEntry:
    """Credit price-protection compensation to the dealer's balance (balance_delta = +amount). Once per
    reference (pricing passes its compensation's): a repeat returns the first entry."""
    return _credit(actor=actor, dealer=dealer, amount=amount, currency=currency, reference=reference,
                   reason=reason, kind=EntryKind.PRICE_PROTECTION, pool=False)


def rebate_usable(*, dealer, currency: str, order_total) -> Decimal:
    """What the dealer's rebate pool may pay of an order of `order_total`: the pool, at most the brand's
    rebate_share % of the total (rounded down to the currency's minor unit). Zero without a pool."""
    currency = clean_currency(currency)
    total = Decimal(str(order_total))
    if not total.is_finite() or total <= 0:
        return ZERO
    pool = (DealerAccount.objects.filter(dealer=dealer, currency=currency, creditor__isnull=True)
            .values_list("rebate_balance", flat=True).first()) or ZERO
    cap = (total * finance_settings().rebate_share / 100).quantize(minor_unit(currency), rounding="ROUND_DOWN")
    return max(min(pool, cap), ZERO)
