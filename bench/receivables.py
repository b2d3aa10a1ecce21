"""Receivables (应收): the ageing of a whole brand and the open items of one large dealer, computed from the ledger
at read time (tenant_apps/finance/selectors_receivables.py: one SQL statement with window functions).

  world      5,000 dealers under 10 regions, each with 20 orders on credit (12 shipped, due dates spread over
             the last 200 days), 3 payments naming no order and 2 naming one; one more dealer with 5,000 orders
             (and 1,000 payments): 106,000 charges and 30,000 payments in the ledger. Rows in bulk (untimed).
  measured   ageing(actor=finance) over every dealer (buckets per dealer and region); open_items of the large
             dealer; credit_summary (the storefront's) and order_block_reason of the large dealer. Median of 5.
  baseline   the plainest read of the same ledger: SELECT dealer_id, SUM(credit_delta) ... GROUP BY dealer_id
             (what any ageing must at least scan), in the same run.

    .venv/bin/python bench/receivables.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup, throwaway_tenant  # noqa: E402

DEALERS, REGIONS, ORDERS, SHIPPED, BIG_ORDERS = 5000, 10, 20, 12, 5000


def _timed(call, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def build(currency: str):
    """Dealers, accounts, ledger rows and receivables in bulk (the ledger's sums kept: credit_used is the sum of
    each account's credit_delta)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from tenant_apps.dealers import services as dealers
    from tenant_apps.dealers.models import Dealer, Node
    from tenant_apps.finance.models import DealerAccount, EntryKind, LedgerEntry, Receivable

    hq = dealers.headquarters_ensure(name="HQ")
    regions = [dealers.region_create(actor=None, parent=hq, code=f"R{n}", name=f"区域{n}") for n in range(REGIONS)]
    nodes = Node.objects.bulk_create([Node(kind=Node.Kind.DEALER, name=f"经销商{n}", code=f"BD-{n:05d}",
                                           parent=regions[n % REGIONS], path=f"tmp.n{n}")
                                      for n in range(DEALERS + 1)])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dealers_node n SET path = (p.path::text || '.' || n.id)::ltree FROM dealers_node p "
                       "WHERE p.id = n.parent_id AND n.code LIKE 'BD-%%'")
    found = Dealer.objects.bulk_create([Dealer(node=node, code=node.code, legal_name=node.name, name=node.name,
                                               supplier=hq, status="active") for node in nodes])
    accounts = DealerAccount.objects.bulk_create([DealerAccount(dealer=dealer, currency=currency) for dealer in found])
    today = timezone.localdate()
    entries, receivables, owed = [], [], {}

    def entry(account, kind, credit, reference):
        owed[account.pk] = owed.get(account.pk, Decimal(0)) + credit
        entries.append(LedgerEntry(account=account, dealer_id=account.dealer_id, currency=currency, kind=kind,
                                   amount=-credit, credit_delta=credit, balance_after=0,
                                   credit_used_after=owed[account.pk], reference=reference))

    for index, account in enumerate(accounts):
        big = index == len(accounts) - 1
        orders = BIG_ORDERS if big else ORDERS
        for number in range(orders):
            reference = f"SO-{index}-{number}"
            entry(account, EntryKind.ORDER_CHARGE, Decimal(1000 + number), reference)
            if number % ORDERS < SHIPPED:
                shipped = today - timedelta(days=(index + number * 17) % 200 + 30)
                receivables.append(Receivable(dealer_id=account.dealer_id, currency=currency, reference=reference,
                                              shipped_on=shipped, due_on=shipped + timedelta(days=30)))
        for number in range(orders // 4):
            named = number % 5 < 2
            entry(account, EntryKind.PAYMENT, Decimal(-800),
                  f"SO-{index}-{number * 3}" if named else f"BANK-{index}-{number}")
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    Receivable.objects.bulk_create(receivables, batch_size=5000)
    for account in accounts:
        account.credit_used = owed[account.pk]
    DealerAccount.objects.bulk_update(accounts, ["credit_used"], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return found[-1], len(entries)


def main() -> None:
    django_setup()
    from types import SimpleNamespace

    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenant_apps.core.money import tenant_currency
    from tenant_apps.dealers.models import Dealer
    from tenant_apps.finance import selectors_receivables as receivables
    from tenant_apps.finance import services

    with throwaway_tenant("Receivables bench", "bench-ar") as tenant, tenant_context(tenant):
        started = time.perf_counter()
        big, rows = build(tenant_currency())
        services.finance_settings_update(actor=None, overdue_block_days=30)
        print(f"built {rows} ledger rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        finance = SimpleNamespace(role="finance", is_authenticated=True, is_active=True)

        def baseline():
            with connection.cursor() as cursor:
                cursor.execute("SELECT dealer_id, SUM(credit_delta) FROM finance_ledgerentry GROUP BY dealer_id")
                return cursor.fetchall()

        baseline_ms, _rows = _timed(baseline)
        ageing_ms, report = _timed(lambda: receivables.ageing(actor=finance))
        items_ms, items = _timed(lambda: receivables.open_items(dealers=Dealer.objects.filter(pk=big.pk)))
        summary_ms, summary = _timed(lambda: receivables.credit_summary(big))
        block_ms, _reason = _timed(lambda: receivables.order_block_reason(big))
        assert len(report.dealers) == DEALERS + 1 and len(report.regions) == REGIONS, report
        print(f"ageing of {len(report.dealers)} dealers: {ageing_ms:.0f} ms (owed {report.totals.total}, overdue "
              f"{report.totals.overdue}); the large dealer's {len(items)} open items: {items_ms:.0f} ms; its credit "
              f"summary {summary_ms:.0f} ms, block check {block_ms:.0f} ms; baseline GROUP BY over the ledger "
              f"{baseline_ms:.0f} ms", file=sys.stderr)
        print(f"RESULT ageing_ms={ageing_ms:.1f} dealer_items_ms={items_ms:.1f} credit_summary_ms={summary_ms:.1f} "
              f"block_check_ms={block_ms:.1f} baseline_group_by_ms={baseline_ms:.1f} "
              f"ageing_to_baseline={ageing_ms / baseline_ms:.2f} ledger_rows={rows} open_items={len(items)} "
              f"blocked={int(summary.block_reason is not None)}")


if __name__ == "__main__":
    main()
