"""Reading plans and subscriptions: the plans offered (the pricing page), and the business as the operator sees it
(MRR and ARR per currency, states, plan mix, trial conversion, who is overdue, who is near a limit). Each read costs
a fixed number of queries however many tenants there are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from billing_saas.labels import limit_sentence
from billing_saas.models import (
    Feature,
    Interval,
    InvoiceRequest,
    Plan,
    PlanPrice,
    PrepaidPayment,
    Resource,
    Subscription,
    SubscriptionChange,
    SubscriptionState,
)

S = SubscriptionState
# MRR counts these at their plan's list price per month; trials, read-only, suspended and cancelled count nothing
PAYING = (S.ACTIVE, S.PAST_DUE)
TRIAL_WINDOW_DAYS = 90
NEAR_LIMIT_PERCENT = 80


def plans_for_signup() -> list[Plan]:
    """The plans a brand may choose, with their prices (one query for the prices, however many plans)."""
    return list(Plan.objects.filter(is_public=True).prefetch_related("prices"))


# --- the public pricing page ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanOffer:
    """A plan as the pricing page shows it in one currency: its monthly and yearly prices (either may be missing),
    what the yearly price saves, its limits (None: unlimited) and which features it has."""

    plan: Plan
    currency: str
    monthly: PlanPrice | None
    yearly: PlanPrice | None
    limits: list[tuple[str, str, int | None]]  # (resource, the sentence saying its limit, the limit or None)
    features: list[tuple[str, str, bool]]  # (feature, its label, in the plan)

    @property
    def yearly_saving(self) -> Decimal | None:
        """What paying yearly saves over twelve monthly payments (None when it saves nothing)."""
        if self.monthly is None or self.yearly is None:
            return None
        saving = self.monthly.amount * 12 - self.yearly.amount
        return saving if saving > 0 else None

    @property
    def two_months_free(self) -> bool:
        """True when the year costs exactly ten months."""
        return bool(self.monthly and self.yearly and self.yearly.amount == self.monthly.amount * 10)


def plan_currencies(plans: list[Plan]) -> list[str]:
    """The currencies the plans are priced in (prefetched prices), CNY first."""
    found = {price.currency for plan in plans for price in plan.prices.all()}
    return sorted(found, key=lambda currency: (currency != "CNY", currency))


def plan_offers(plans: list[Plan], currency: str) -> list[PlanOffer]:
    """The plans priced in `currency` (prefetched prices: no query), in the plans' order."""
    offers = []
    for plan in plans:
        monthly, yearly = plan.price(currency, Interval.MONTH), plan.price(currency, Interval.YEAR)
        if monthly is None and yearly is None:
            continue
        offers.append(PlanOffer(
            plan=plan, currency=currency, monthly=monthly, yearly=yearly,
            limits=[(resource.value, limit_sentence(resource.value, plan.limit(resource.value)),
                     plan.limit(resource.value)) for resource in Resource],
            features=[(feature.value, str(feature.label), plan.has(feature.value)) for feature in Feature]))
    return offers


# --- the business, for the operator --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanMix:
    plan: Plan
    paying: int  # active or payment overdue
    trialing: int
    other: int  # read-only, suspended, cancelled
    mrr: dict[str, Decimal]  # currency -> monthly recurring revenue of its paying subscriptions

    @property
    def total(self) -> int:
        return self.paying + self.trialing + self.other


@dataclass(frozen=True)
class TrialConversion:
    """Of the trials that ended in the last `days` days, how many became active (at the end of the trial or later,
    in the same window)."""

    days: int
    ended: int
    converted: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.converted / self.ended) if self.ended else None


@dataclass(frozen=True)
class BusinessFigures:
    currencies: list[str]  # every currency priced or subscribed in, CNY first: each has its own MRR
    mrr: dict[str, Decimal]  # currency -> MRR (active and past due, at the plan's monthly amount; never converted)
    arr: dict[str, Decimal]  # currency -> MRR x 12
    unpriced: int  # paying subscriptions whose plan has no price in their currency and period: not in MRR
    states: dict[str, int]  # every subscription state -> how many
    plans: list[PlanMix]
    trials: TrialConversion
    past_due: list[Subscription] = field(default_factory=list)  # tenant and plan loaded; oldest first
    read_only: list[Subscription] = field(default_factory=list)

    @property
    def paying(self) -> int:
        return sum(self.states[state] for state in PAYING)

    @property
    def state_rows(self) -> list[tuple[str, str, int]]:
        """(state, its label, how many) for every state, in the state machine's order."""
        return [(state.value, str(state.label), self.states.get(state.value, 0)) for state in S]


def _prices() -> dict[tuple[int, str, str], PlanPrice]:
    return {(price.plan_id, price.currency, price.interval): price for price in PlanPrice.objects.all()}


def business_figures(*, now: datetime | None = None) -> BusinessFigures:
    """MRR and ARR per currency, subscriptions per state, the plan mix, trial conversion over TRIAL_WINDOW_DAYS and
    the tenants past due or read-only with the date they became so. Five queries, however many tenants."""
    now = now or timezone.now()
    plans = list(Plan.objects.all())
    prices = _prices()
    groups = (Subscription.objects.values_list("plan_id", "state", "currency", "interval")
              .annotate(count=Count("id")).order_by())
    currencies = {currency for (_plan, currency, _interval) in prices}
    mrr: dict[str, Decimal] = defaultdict(Decimal)
    by_plan: dict[int, dict[str, int]] = defaultdict(lambda: {"paying": 0, "trialing": 0, "other": 0})
    plan_mrr: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    states = dict.fromkeys(S.values, 0)
    unpriced = 0
    for plan_id, state, currency, interval, count in groups:
        currencies.add(currency)
        states[state] = states.get(state, 0) + count
        if state in PAYING:
            by_plan[plan_id]["paying"] += count
            price = prices.get((plan_id, currency, interval))
            if price is None:
                unpriced += count
            else:
                mrr[currency] += price.monthly_amount * count
                plan_mrr[plan_id][currency] += price.monthly_amount * count
        elif state == S.TRIALING:
            by_plan[plan_id]["trialing"] += count
        else:
            by_plan[plan_id]["other"] += count
    ordered = sorted(currencies, key=lambda currency: (currency != "CNY", currency))
    mix = [PlanMix(plan=plan, mrr={c: plan_mrr[plan.pk][c] for c in ordered}, **by_plan[plan.pk])
           for plan in plans if plan.pk in by_plan or plan.is_public]
    overdue = list(Subscription.objects.filter(state__in=[S.PAST_DUE, S.READ_ONLY])
                   .select_related("tenant", "plan").order_by("state_changed_at", "pk"))
    return BusinessFigures(
        currencies=ordered, mrr={c: mrr[c] for c in ordered}, arr={c: mrr[c] * 12 for c in ordered},
        unpriced=unpriced, states=states, plans=mix, trials=trial_conversion(now=now),
        past_due=[row for row in overdue if row.state == S.PAST_DUE],
        read_only=[row for row in overdue if row.state == S.READ_ONLY])


def trial_conversion(*, now: datetime | None = None, days: int = TRIAL_WINDOW_DAYS) -> TrialConversion:
    """From the subscriptions' history (one query): a trial ended when its subscription left the trial state
    (paid, fell due, cancelled); it converted when the subscription became active then or afterwards."""
    since = (now or timezone.now()) - timedelta(days=days)
    left_trial = Q(from_state=S.TRIALING) & ~Q(to_state=S.TRIALING)
    became_active = Q(to_state=S.ACTIVE) & ~Q(from_state=S.ACTIVE)
    rows = (SubscriptionChange.objects.filter(created_at__gte=since).filter(left_trial | became_active)
            .order_by("created_at", "pk").values_list("subscription_id", "from_state", "to_state"))
    ended, converted = set(), set()
    for subscription_id, from_state, to_state in rows:
        if from_state == S.TRIALING:
            ended.add(subscription_id)
        if to_state == S.ACTIVE and subscription_id in ended:
            converted.add(subscription_id)
    return TrialConversion(days=days, ended=len(ended), converted=len(converted))


# --- usage against the plan's limits ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class UsageRow:
    """One limited resource: what is used beside the plan's limit (the brand's plan page, the operator's pages)."""

    resource: str
    label: str
    used: int | None  # None: not measured
    limit: int | None  # None: unlimited

    @property
    def percent(self) -> int | None:
        """How much of the limit is used, rounded down (may pass 100); None when unlimited or not measured."""
        if self.limit is None or self.used is None:
            return None
        if self.limit == 0:
            return 100 if self.used else 0
        return self.used * 100 // self.limit

    @property
    def bar(self) -> int:
        return min(self.percent or 0, 100)

    @property
    def near(self) -> bool:
        return self.percent is not None and self.percent >= NEAR_LIMIT_PERCENT

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used is not None and self.used > self.limit


def usage_rows(plan: Plan | None, usage: dict[str, int | None]) -> list[UsageRow]:
    """Each limited resource with what is used (`usage`: Resource value -> count) and the plan's limit."""
    return [UsageRow(resource=resource.value, label=str(resource.label), used=usage.get(resource.value),
                     limit=plan.limit(resource.value) if plan else None) for resource in Resource]


@dataclass(frozen=True)
class NearLimit:
    subscription: Subscription  # tenant, plan and the tenant's usage loaded
    uses: list[UsageRow]  # only the resources at NEAR_LIMIT_PERCENT or more

    @property
    def highest(self) -> int:
        return max(use.percent for use in self.uses)


def usage_near_limits(*, percent: int = NEAR_LIMIT_PERCENT) -> list[NearLimit]:
    """Tenants whose measured usage (the stored Usage rows) reaches `percent` of a limit of their plan, highest
    first: one query, the comparison made by the database."""
    near = Q()
    aliases = {}
    for resource in Resource:
        aliases[f"used_{resource.value}"] = F(f"tenant__usage__{resource.value}") * 100
        near |= Q(**{f"used_{resource.value}__gte": F(f"plan__max_{resource.value}") * percent,
                     f"tenant__usage__{resource.value}__gt": 0})
    subscriptions = (Subscription.objects.exclude(state__in=[S.SUSPENDED, S.CANCELLED])
                     .filter(tenant__usage__isnull=False).alias(**aliases).filter(near)
                     .select_related("tenant", "plan", "tenant__usage"))
    found = []
    for subscription in subscriptions:
        measured = subscription.tenant.usage
        uses = [use for use in usage_rows(
            subscription.plan, {resource.value: getattr(measured, resource.value) for resource in Resource})
            if use.percent is not None and use.percent >= percent and use.used]
        if uses:
            found.append(NearLimit(subscription=subscription, uses=uses))
    return sorted(found, key=lambda row: (-row.highest, row.subscription.tenant.slug))


# --- one tenant's subscription ---------------------------------------------------------------------------------------
def subscription_of(tenant_id: int) -> Subscription | None:
    """A tenant's subscription with its plans and the plan's prices (2 queries), or None."""
    return (Subscription.objects.filter(tenant_id=tenant_id).select_related("plan", "scheduled_plan")
            .prefetch_related("plan__prices").first())


def subscription_history(subscription: Subscription, *, limit: int = 50) -> list[SubscriptionChange]:
    return list(subscription.changes.all()[:limit])


# --- Chinese invoices (发票) ----------------------------------------------------------------------------------------
PREPAID_REF = "prepaid:"


def prepaid_ref(payment: PrepaidPayment) -> str:
    """How an invoice request names a prepaid payment."""
    return f"{PREPAID_REF}{payment.pk}"


@dataclass(frozen=True)
class PaidPayment:
    """A paid payment a fapiao may be asked for: `ref` as invoice requests name it (`prepaid:<id>`, or a Stripe
    invoice's id), what was paid, and how (a PrepaidPayment's method, or "card")."""

    ref: str
    amount: Decimal
    currency: str
    paid_at: datetime | None
    method: str
    periods: int = 1
    interval: str = ""


def invoice_requests_of(subscription: Subscription) -> list[InvoiceRequest]:
    return list(InvoiceRequest.objects.filter(subscription=subscription).order_by("-created_at", "-id"))


def invoiceable_payments(subscription: Subscription, *, others: Iterable[PaidPayment] = ()) -> list[PaidPayment]:
    """The subscription's paid payments that have no invoice request yet (a failed one does not count), newest
    first: its prepaid payments paid here, and `others` (paid Stripe invoices, read from Stripe by the caller).
    Two queries."""
    asked = set(InvoiceRequest.objects.filter(subscription=subscription).exclude(
        status=InvoiceRequest.Status.FAILED).values_list("payment_ref", flat=True))
    prepaid = [PaidPayment(ref=prepaid_ref(payment), amount=payment.amount, currency=payment.currency,
                           paid_at=payment.paid_at, method=payment.method, periods=payment.periods,
                           interval=payment.interval)
               for payment in PrepaidPayment.objects.filter(subscription=subscription,
                                                            status=PrepaidPayment.Status.SUCCEEDED)]
    payments = [payment for payment in [*prepaid, *others] if payment.ref not in asked]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(payments, key=lambda payment: payment.paid_at or oldest, reverse=True)


def read_only_from(tenant_id: int) -> datetime | None:
    """When a past-due subscription turns read-only by the dunning schedule (BILLING_PAST_DUE_DAYS after it fell
    due); None when it is not past due. One query."""
    since = (Subscription.objects.filter(tenant_id=tenant_id, state=SubscriptionState.PAST_DUE)
             .values_list("state_changed_at", flat=True).first())
    if since is None:
        return None
    return since + timedelta(days=getattr(settings, "BILLING_PAST_DUE_DAYS", 7))
