"""Reads of receivables (应收): open items, ageing, the overdue block, the dealer's credit summary.

Open items are computed from the ledger at read time, in one SQL statement (window functions), so they are
deterministic and never out of step with the ledger (models/receivables.py says what is stored and why):

1. An item is an order reference of the account with a credit part: gross = the credit_delta of its ORDER_CHARGE
   and ORDER_RELEASE rows (never below zero).
2. A PAYMENT naming the reference settles that item first: net = gross - min(gross, credit paid by those
   payments). What a named payment paid beyond its item joins the pool below.
3. Everything else that paid credit down (payments naming no item, credits) is the pool: the sum of the nets
   less what the account owes on credit now (`credit_used`, itself the sum of the ledger). The pool settles the
   items oldest due first (due date, unshipped items last, then charge time, then reference): with `cum` the
   running sum of the nets in that order, open = max(0, min(net, cum - pool)).

Debt that belongs to no order (a refund of a payment that had paid credit down) is not an item: when the account
owes more than its items, every item is open in full and the rest shows as owed without an item.

Ageing buckets by days past the due date as of `today` (the tenant's local date): current (not shipped, not due,
or due today), 1-30, 31-60, 61-90, more than 90.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tenant_apps.core.money import format_money, tenant_currency
from tenant_apps.dealers.models import Dealer, Node, Supplier
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.models import BlockLift, DealerAccount, EntryKind
from tenant_apps.finance.services import finance_settings, settlement_for

ZERO = Decimal("0.00")
BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus")
DUE_SOON_DAYS = 7


def bucket_labels() -> dict[str, str]:
    return {"current": pgettext("ageing bucket", "Current"), "d1_30": _("1-30 days"), "d31_60": _("31-60 days"),
            "d61_90": _("61-90 days"), "d90_plus": _("More than 90 days")}


def bucket_of(due_on: date | None, today: date) -> str:
    overdue = (today - due_on).days if due_on else 0
    if overdue <= 0:
        return "current"
    if overdue <= 30:
        return "d1_30"
    if overdue <= 60:
        return "d31_60"
    if overdue <= 90:
        return "d61_90"
    return "d90_plus"


# --- the open items, in SQL ----------------------------------------------------------------------------------

_ITEMS = """
WITH item AS (
    SELECT a.id AS account_id, a.dealer_id, a.credit_used, e.reference,
           GREATEST(COALESCE(SUM(e.credit_delta) FILTER (WHERE e.kind IN (%(charge)s, %(release)s)), 0), 0)
               AS gross,
           GREATEST(COALESCE(-SUM(e.credit_delta) FILTER (WHERE e.kind = %(payment)s), 0), 0) AS named,
           MIN(e.created_at) FILTER (WHERE e.kind = %(charge)s) AS charged_at
    FROM finance_dealeraccount a JOIN finance_ledgerentry e ON e.account_id = a.id
    WHERE a.currency = %(currency)s AND a.dealer_id IN ({dealers}) AND {creditor}
      AND e.reference <> '' AND e.kind IN (%(charge)s, %(release)s, %(payment)s)
    GROUP BY a.id, e.reference
    HAVING bool_or(e.kind = %(charge)s AND e.credit_delta > 0)
), net AS (
    SELECT i.*, r.id AS receivable_id, r.shipped_on, r.due_on, i.gross - LEAST(i.gross, i.named) AS net
    FROM item i LEFT JOIN finance_receivable r
      ON r.dealer_id = i.dealer_id AND r.currency = %(currency)s AND r.reference = i.reference
), run AS (
    SELECT n.*,
           SUM(n.net) OVER (PARTITION BY n.account_id ORDER BY n.due_on NULLS LAST, n.charged_at, n.reference
                            ROWS UNBOUNDED PRECEDING) AS cum,
           SUM(n.net) OVER (PARTITION BY n.account_id) AS total_net
    FROM net n
)
SELECT run.dealer_id, run.reference, run.receivable_id, run.shipped_on, run.due_on, run.charged_at, run.gross,
       run.net, GREATEST(0, LEAST(run.net, run.cum - (run.total_net - GREATEST(run.credit_used, 0)))) AS open
FROM run
"""

_AGEING = """
SELECT x.dealer_id,
       SUM(x.open) FILTER (WHERE x.due_on IS NULL OR x.due_on >= %(today)s) AS current,
       SUM(x.open) FILTER (WHERE %(today)s - x.due_on BETWEEN 1 AND 30) AS d1_30,
       SUM(x.open) FILTER (WHERE %(today)s - x.due_on BETWEEN 31 AND 60) AS d31_60,
       SUM(x.open) FILTER (WHERE %(today)s - x.due_on BETWEEN 61 AND 90) AS d61_90,
       SUM(x.open) FILTER (WHERE %(today)s - x.due_on > 90) AS d90_plus,
       SUM(x.open) FILTER (WHERE x.due_on >= %(today)s AND x.due_on < %(week)s) AS due_soon,
       MIN(x.due_on) FILTER (WHERE x.due_on < %(today)s) AS oldest_due,
       COUNT(*) AS items
FROM ({items}) x
WHERE x.open > 0
GROUP BY x.dealer_id
"""


def _dealer_sql(dealers: QuerySet[Dealer]) -> tuple[str, list]:
    """The SQL of `dealers`' ids (a subquery), with its parameters turned into named ones."""
    sql, params = dealers.order_by().values("pk").query.sql_with_params()
    named = {}
    for index, value in enumerate(params):
        named[f"d{index}"] = value
    # the ORM writes positional %s: name them in order
    parts = sql.split("%s")
    sql = "".join(part + (f"%(d{index})s" if index < len(parts) - 1 else "") for index, part in enumerate(parts))
    return sql, named


def _items_query(dealers: QuerySet[Dealer], currency: str, creditor: int | None = None) -> tuple[str, dict]:
    """The items of `dealers`' accounts with `creditor` (None: headquarters, the only one its pages read)."""
    dealer_sql, params = _dealer_sql(dealers)
    owed_to = "a.creditor_id IS NULL" if creditor is None else "a.creditor_id = %(creditor)s"
    return _ITEMS.replace("{dealers}", dealer_sql).replace("{creditor}", owed_to), {
        "creditor": creditor,
        **params, "currency": currency, "charge": EntryKind.ORDER_CHARGE, "release": EntryKind.ORDER_RELEASE,
        "payment": EntryKind.PAYMENT}


def _fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Item:
    """One order's receivable: `open` is what is still owed of it after allocation."""

    dealer_id: int
    reference: str
    shipped_on: date | None
    due_on: date | None
    charged_at: object
    gross: Decimal
    net: Decimal
    open: Decimal
    bucket: str
    days_overdue: int

    @property
    def paid(self) -> Decimal:
        return self.gross - self.open

    @property
    def bucket_label(self) -> str:
        return bucket_labels()[self.bucket]


def open_items(*, dealers: QuerySet[Dealer], today: date | None = None, currency: str | None = None,
               with_paid: bool = False, creditor: int | None = None) -> list[Item]:
    """The receivables of `dealers` (a queryset, applied as a subquery: one statement whatever their number) owed
    to `creditor` (None: headquarters; a supplier node's id: what they owe that supplier), oldest due first. Only
    those still open unless `with_paid`."""
    today = today or timezone.localdate()
    sql, params = _items_query(dealers, currency or tenant_currency(), creditor)
    listed = ("SELECT * FROM ({items}) x WHERE x.open > 0 OR %(with_paid)s "
              "ORDER BY x.dealer_id, x.due_on NULLS LAST, x.charged_at, x.reference")
    rows = _fetch(listed.replace("{items}", sql), {**params, "with_paid": with_paid})
    return [Item(dealer_id=row["dealer_id"], reference=row["reference"], shipped_on=row["shipped_on"],
                 due_on=row["due_on"], charged_at=row["charged_at"], gross=row["gross"], net=row["net"],
                 open=row["open"], bucket=bucket_of(row["due_on"], today),
                 days_overdue=max((today - row["due_on"]).days, 0) if row["due_on"] else 0) for row in rows]


# --- ageing --------------------------------------------------------------------------------------------------


@dataclass
class Buckets:
    current: Decimal = ZERO
    d1_30: Decimal = ZERO
    d31_60: Decimal = ZERO
    d61_90: Decimal = ZERO
    d90_plus: Decimal = ZERO
    due_soon: Decimal = ZERO

    @property
    def overdue(self) -> Decimal:
        return self.d1_30 + self.d31_60 + self.d61_90 + self.d90_plus

    @property
    def total(self) -> Decimal:
        return self.current + self.overdue

    def values(self) -> list[Decimal]:
        """The buckets' amounts in BUCKETS order (a table's cells)."""
        return [getattr(self, name) for name in BUCKETS]

    def cells(self) -> list[tuple[str, Decimal]]:
        """(label, amount) per bucket, labels in the current language."""
        labels = bucket_labels()
        return [(labels[name], getattr(self, name)) for name in BUCKETS]

    def add(self, other: Buckets) -> None:
        for name in (*BUCKETS, "due_soon"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {**{name: getattr(self, name) for name in (*BUCKETS, "due_soon")}, "overdue": self.overdue,
                "total": self.total}


@dataclass
class DealerAgeing:
    dealer: Dealer
    region_id: int | None
    buckets: Buckets
    oldest_due: date | None
    items: int


@dataclass
class RegionAgeing:
    region: Node | None  # None: dealers under no region
    buckets: Buckets = field(default_factory=Buckets)
    dealers: int = 0


@dataclass
class Ageing:
    today: date
    currency: str
    totals: Buckets
    regions: list[RegionAgeing]
    dealers: list[DealerAgeing]  # largest overdue first, then largest owed

    def top_overdue(self, count: int = 10) -> list[DealerAgeing]:
        return [row for row in self.dealers if row.buckets.overdue > 0][:count]


def receivables_dealers_for(actor, *, region: Node | None = None) -> QuerySet[Dealer]:
    dealers = dealers_visible_to(actor)
    if region is not None:
        dealers = dealers.filter(node__path__descendant_of=region.path)
    return dealers


def ageing(*, actor, region: Node | None = None, today: date | None = None) -> Ageing:
    """The ageing of the receivables of the dealers in the actor's scope (under `region` when given), per dealer
    and per region (a dealer's nearest region above it in the network). Three queries whatever the number of
    dealers and items: the buckets per dealer (SQL aggregates over the allocation), the dealers, the regions."""
    today = today or timezone.localdate()
    currency = tenant_currency()
    dealers = receivables_dealers_for(actor, region=region)
    items_sql, params = _items_query(dealers, currency)
    rows = _fetch(_AGEING.replace("{items}", items_sql),
                  {**params, "today": today, "week": today + timedelta(days=DUE_SOON_DAYS)})
    by_dealer = {row["dealer_id"]: row for row in rows}
    # a dealer's region: the deepest region node on its path (regions are few: read them all once)
    region_nodes = {node.pk: node for node in Node.objects.filter(kind=Node.Kind.REGION)}
    found = (Dealer.objects.filter(pk__in=list(by_dealer)).select_related("node")
             .only("pk", "code", "name", "legal_name", "node__path"))
    totals, dealer_rows, regions = Buckets(), [], {}
    for dealer in found:
        row = by_dealer[dealer.pk]
        on_path = [int(label) for label in str(dealer.node.path).split(".")]
        region_id = next((pk for pk in reversed(on_path) if pk in region_nodes), None)
        buckets = Buckets(**{name: row[name] or ZERO for name in (*BUCKETS, "due_soon")})
        dealer_rows.append(DealerAgeing(dealer=dealer, region_id=region_id, buckets=buckets,
                                        oldest_due=row["oldest_due"], items=row["items"]))
        totals.add(buckets)
        region_row = regions.setdefault(region_id, RegionAgeing(region=region_nodes.get(region_id)))
        region_row.buckets.add(buckets)
        region_row.dealers += 1
    dealer_rows.sort(key=lambda row: (-row.buckets.overdue, -row.buckets.total, row.dealer.code))
    region_rows = sorted(regions.values(), key=lambda row: (row.region is None, -row.buckets.overdue,
                                                            row.region.name if row.region else ""))
    return Ageing(today=today, currency=currency, totals=totals, regions=region_rows, dealers=dealer_rows)


# --- the overdue block ---------------------------------------------------------------------------------------


def block_lift_active(dealer, today: date | None = None) -> BlockLift | None:
    today = today or timezone.localdate()
    lifts = BlockLift.objects.filter(dealer=dealer, ended_at__isnull=True)
    return next((lift for lift in lifts if lift.until is None or lift.until >= today), None)


@dataclass(frozen=True)
class Overdue:
    amount: Decimal
    since: date | None  # the oldest due date among the items counted


def overdue_beyond(dealer, *, days: int, today: date | None = None, currency: str | None = None,
                   items: list[Item] | None = None) -> Overdue:
    """What `dealer` owes on items more than `days` days past their due date (`items`: its open items, when the
    caller has read them already)."""
    today = today or timezone.localdate()
    if items is None:
        items = open_items(dealers=Dealer.objects.filter(pk=dealer.pk), today=today, currency=currency)
    items = [item for item in items if item.due_on and (today - item.due_on).days > days]
    return Overdue(amount=sum((item.open for item in items), ZERO),
                   since=min((item.due_on for item in items), default=None))


def order_block_reason(dealer, *, today: date | None = None, items: list[Item] | None = None) -> str | None:
    """Why `dealer` may not place orders now, as a sentence in the current language; None when it may.

    Blocked when any of its items is overdue more than the brand's `overdue_block_days` (0: never block) and no
    lift is active (services_receivables.block_lift). Never while its orders go to an active supplier (S2B2B): the
    block is headquarters' and applies to the orders placed with headquarters only (docs/dev/multi-tier.md)."""
    days = finance_settings().overdue_block_days
    if not days:
        return None
    supplier_id = getattr(dealer, "supplier_id", None)
    if supplier_id and Supplier.objects.filter(node_id=supplier_id, active=True).exists():
        return None
    today = today or timezone.localdate()
    currency = tenant_currency()
    overdue = overdue_beyond(dealer, days=days, today=today, currency=currency, items=items)
    if overdue.amount <= 0 or block_lift_active(dealer, today) is not None:
        return None
    return _("Orders are blocked: %(amount)s overdue more than %(days)s days since %(date)s. Pay or ask the "
             "brand's finance to lift the block.") % {
        "amount": format_money(overdue.amount, currency), "days": days,
        "date": date_format(overdue.since, "Y-m-d")}


# --- the storefront's summary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditSummary:
    currency: str
    limit: Decimal
    used: Decimal
    available: Decimal
    due_soon: Decimal  # open, due within the next DUE_SOON_DAYS days (today included)
    overdue: Decimal  # open, past its due date
    block_reason: str | None


def credit_summary(dealer, *, today: date | None = None) -> CreditSummary:
    """The dealer's credit at a glance, for the storefront: limit, used, available, due soon, overdue, and why
    ordering is blocked (None when it is not)."""
    today = today or timezone.localdate()
    settlement = settlement_for(dealer)
    account = DealerAccount.objects.filter(dealer=dealer, currency=settlement.currency, creditor__isnull=True).first()
    used = account.credit_used if account else ZERO
    items = open_items(dealers=Dealer.objects.filter(pk=dealer.pk), today=today, currency=settlement.currency)
    week = today + timedelta(days=DUE_SOON_DAYS)
    return CreditSummary(
        currency=settlement.currency, limit=settlement.credit_limit, used=used,
        available=max(settlement.credit_limit - max(used, ZERO), ZERO),
        due_soon=sum((item.open for item in items if item.due_on and today <= item.due_on < week), ZERO),
        overdue=sum((item.open for item in items if item.due_on and item.due_on < today), ZERO),
        block_reason=order_block_reason(dealer, today=today, items=items))
