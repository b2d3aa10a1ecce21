"""Bank statement matching: 1,000 statement lines against 1,000 open items in one run, with known answers.

The world (through the services, untimed): 300 dealers; 500 orders owed on credit (credit holds under their
order numbers) and 500 pending transfer records (remittances) of those dealers, each with an amount of its own.
The 1,000 lines of one statement:

  300  the remark names an order number                    -> high, that order's dealer and number
  200  the remark names a dealer's payment code (D + code)  -> high, that dealer
  300  a remittance's amount, the payer's name written another way (spaces, full-width, 有限公司)
                                                             -> medium, that remittance and its dealer
  100  an order's amount and its dealer's name               -> medium, that order
   50  a remittance's amount, a payer nobody knows           -> low, that remittance (a suggestion only)
   50  amounts of nothing open                               -> no suggestion

Measured:
  match      p50 of services.bank_lines_match over the 1,000 open lines (load the open items once, index them,
             suggest in memory, one bulk update), and its SQL statements (the same for 10 lines)
  naive      the same rules with a query per line and rule (the alternative a first version would write)
  precision  right suggestions / suggestions; recall: expected found / expected; no item suggested twice
  confirm    confirming every high and medium suggestion (one payment each, under row locks): per second;
             then no line has two active matches and finance's ledger check is clean

Runs in its own throwaway tenant, deleted and purged at the end.

Run: .venv/bin/python bench/bank_match.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

from _setup import django_setup, percentile, pgbench_select_only, throwaway_tenant

DEALERS, ORDERS, REMITTANCES = 300, 500, 500


def build() -> dict:
    """The dealers, the open items and the statement's lines; returns the expected suggestion of each line."""
    import datetime as dt
    import uuid
    from decimal import Decimal

    from tenant_apps.dealers import services as dealers
    from tenant_apps.finance import services as finance
    from tenant_apps.finance.bank import services as bank
    from tenant_apps.finance.bank.matching import payment_code
    from tenant_apps.finance.models import BankMapping, BankStatementLine, StatementImport

    hq = dealers.headquarters_ensure(name="HQ")
    made = [dealers.dealer_create(actor=None, parent=hq, code=f"BM-{n:03d}", legal_name=f"测试经销商{n:03d}有限公司",
                                  status="active") for n in range(DEALERS)]
    finance.finance_settings_update(actor=None, settlement_mode="credit", credit_limit="100000000.00")
    orders = []  # (dealer, number, amount)
    for n in range(ORDERS):
        dealer, number, amount = made[n % DEALERS], f"SO-2026-{n:05d}", Decimal(1000 + n) + Decimal("0.11")
        finance.credit_hold(actor=None, dealer=dealer, amount=amount, currency="CNY", reference=number)
        orders.append((dealer, number, amount))
    remittances = []  # (remittance, dealer)
    today = dt.date.today()
    for n in range(REMITTANCES):
        dealer = made[(n * 7) % DEALERS]
        remittance = bank.remittance_record(actor=None, dealer=dealer, amount=Decimal(5000 + n) + Decimal("0.22"),
                                            paid_on=today, payer_name=f"付款人{n:03d}")
        remittances.append((remittance, dealer))
    bank.bank_mappings_ensure()
    statement = StatementImport.objects.create(mapping=BankMapping.objects.get(code="generic"), filename="bench.csv",
                                               sha256=uuid.uuid4().hex)
    lines, expected = [], []

    def line(amount, payer, remark, want):
        lines.append(BankStatementLine(statement=statement, row=len(lines) + 2, booked_on=today, currency="CNY",
                                   amount=amount, payer_name=payer, remark=remark,
                                   dedupe_key=f"bench-{len(lines)}"))
        expected.append(want)

    for dealer, number, amount in orders[:300]:
        line(amount - 100, "某某", f"货款 {number.replace('-', '')} 请查收", ("high", dealer.pk, number, None))
    for n in range(200):
        dealer = made[n % DEALERS]
        line(Decimal(20000 + n) + Decimal("0.33"), "某某", f"{payment_code(dealer)} 预付款",
             ("high", dealer.pk, "", None))
    spellings = ["{} ", "{}有限公司", " {} ", "{}（有限公司）"]
    for n, (remittance, dealer) in enumerate(remittances[:300]):
        payer = spellings[n % 4].format(remittance.payer_name)
        line(remittance.amount, payer, "", ("medium", dealer.pk, "", remittance.pk))
    for dealer, number, amount in orders[300:400]:
        line(amount, dealer.legal_name.replace("测试", "测 试").replace("有限公司", ""), "转账",
             ("medium", dealer.pk, number, None))
    for remittance, dealer in remittances[300:350]:
        line(remittance.amount, "陌生人", "", ("low", dealer.pk, "", remittance.pk))
    for n in range(50):
        line(Decimal(90000 + n) + Decimal("0.44"), "陌生人", "", ("", None, "", None))
    BankStatementLine.objects.bulk_create(lines)
    ids = list(BankStatementLine.objects.filter(statement=statement).order_by("row").values_list("id", flat=True))
    return {"expected": dict(zip(ids, expected, strict=True)), "statement": statement}


def naive_match(lines, items_by_code) -> dict:
    """The same rules, one query per line and rule (the implementation the set-based matcher replaces)."""
    from django.db.models import Q, Sum

    from tenant_apps.dealers.models import Dealer
    from tenant_apps.finance.bank.matching import code_key, name_key, remark_keys
    from tenant_apps.finance.models import LedgerEntry, Remittance

    found = {}
    for line in lines:
        suggestion = ("", None, "", None)
        for key in remark_keys(line.remark):
            reference = items_by_code.get(key)
            if reference:
                owed = LedgerEntry.objects.filter(reference=reference).order_by().values("dealer_id").annotate(
                    owed=Sum("credit_delta")).order_by("dealer_id").first()
                if owed and owed["owed"] > 0:
                    suggestion = ("high", owed["dealer_id"], reference, None)
                    break
            dealer = Dealer.objects.filter(code__iexact=key[1:]).first() if key.startswith("D") else None
            if dealer is None and key.startswith("D"):
                dealer = next((d for d in Dealer.objects.filter(code__istartswith=key[1:3])
                               if code_key("D" + d.code) == key), None)
            if dealer is not None:
                suggestion = ("high", dealer.pk, "", None)
                break
        if not suggestion[0]:
            payer = name_key(line.payer_name)
            candidates = list(Remittance.objects.filter(status="pending", amount=line.amount))
            for remittance in candidates:
                names = {name_key(remittance.payer_name), name_key(remittance.dealer.legal_name)}
                if payer in names:
                    suggestion = ("medium", remittance.dealer_id, "", remittance.pk)
                    break
            if not suggestion[0]:
                owed = list(LedgerEntry.objects.filter(Q(kind="order_charge") | Q(kind="payment")).order_by().values(
                    "dealer_id", "reference").annotate(owed=Sum("credit_delta")).filter(owed=line.amount))
                for row in owed:
                    if payer == name_key(Dealer.objects.get(pk=row["dealer_id"]).legal_name):
                        suggestion = ("medium", row["dealer_id"], row["reference"], None)
                        break
            if not suggestion[0] and len(candidates) + len(owed) == 1:
                one = candidates[0] if candidates else None
                suggestion = ("low", one.dealer_id, "", one.pk) if one else ("low", owed[0]["dealer_id"],
                                                                            owed[0]["reference"], None)
        found[line.id] = suggestion
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print where one matching run spends its time")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    django_setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from tenant_apps.finance.bank import services as bank
    from tenant_apps.finance.bank.matching import code_key
    from tenant_apps.finance.errors import BankLineNotOpen
    from tenant_apps.finance.models import BankMatch, BankStatementLine, LedgerEntry
    from tenant_apps.finance.selectors import ledger_mismatches

    baseline = pgbench_select_only()
    with throwaway_tenant("Bench bank", "bench-bank") as tenant:
        with tenant_context(tenant):
            started = time.perf_counter()
            world = build()
            build_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            expected = world["expected"]
            bank.bank_lines_match(actor=None)  # warm-up
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                run = bank.bank_lines_match(actor=None)
                timings.append((time.perf_counter() - started) * 1000)
            assert run.lines == len(expected) == 1000
            if args.profile:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.runcall(bank.bank_lines_match, actor=None)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            with CaptureQueriesContext(connection) as captured:
                bank.bank_lines_match(actor=None)
            queries_1000 = len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])
            got = {line.pk: (line.confidence, line.suggested_dealer_id, line.suggested_reference,
                             line.suggested_remittance_id) for line in BankStatementLine.objects.all()}
            made = [line for line, suggestion in got.items() if suggestion[0]]
            right = [line for line in made if got[line] == expected[line]]
            wanted = [line for line, suggestion in expected.items() if suggestion[0]]
            found = [line for line in wanted if got[line] == expected[line]]
            remittances_twice = [rid for rid, count in Counter(
                s[3] for s in got.values() if s[3] is not None).items() if count > 1]
            by_confidence = Counter(s[0] or "none" for s in got.values())

            # the naive matcher, same lines, same answers expected
            references = {code_key(ref): ref for ref in LedgerEntry.objects.filter(kind="order_charge").values_list(
                "reference", flat=True)}
            lines = list(BankStatementLine.objects.order_by("id"))
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                naive = naive_match(lines, references)
            naive_ms = (time.perf_counter() - started) * 1000
            naive_queries = len(captured.captured_queries)
            naive_right = sum(1 for line in made if naive.get(line) == expected[line])

            # constant queries: the same for 10 open lines
            keep = [line.pk for line in lines[:10]]
            BankStatementLine.objects.exclude(pk__in=keep).update(status="ignored")
            with CaptureQueriesContext(connection) as captured:
                bank.bank_lines_match(actor=None)
            queries_10 = len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])
            BankStatementLine.objects.filter(status="ignored").update(status="open")
            bank.bank_lines_match(actor=None)

            # confirm every high and medium suggestion: one payment each
            to_confirm = [line for line in lines if got[line.pk][0] in ("high", "medium")]
            started = time.perf_counter()
            refused = 0
            for line in to_confirm:
                try:
                    bank.bank_line_confirm(actor=None, line=line)
                except BankLineNotOpen:
                    refused += 1
            confirm_s = time.perf_counter() - started
            matches = BankMatch.objects.filter(reversal__isnull=True)
            lines_matched_twice = matches.count() - matches.values("line").distinct().count()
            mismatches = ledger_mismatches()

    match_p50 = percentile(timings, 50)
    precision = len(right) / len(made) if made else 0.0
    recall = len(found) / len(wanted)
    print(f"world: {DEALERS} dealers, {ORDERS} orders owed on credit, {REMITTANCES} pending transfer records, "
          f"1,000 lines; built in {build_s:.1f} s")
    print(f"bank_lines_match, 1,000 lines vs 1,000 open items, {len(timings)} runs: p50 {match_p50:.1f} ms, "
          f"max {max(timings):.1f} ms; {queries_1000} queries (10 lines: {queries_10})")
    print(f"  suggestions {dict(sorted(by_confidence.items()))}; precision {precision:.3f} ({len(right)}/{len(made)}),"
          f" recall {recall:.3f} ({len(found)}/{len(wanted)}); remittances suggested twice: {len(remittances_twice)}")
    print(f"naive per-line matcher, same lines: {naive_ms:.1f} ms, {naive_queries} queries, "
          f"{naive_right}/{len(made)} answers the same as expected")
    print(f"confirm {len(to_confirm)} suggestions (one payment each): {confirm_s:.1f} s, "
          f"{len(to_confirm) / confirm_s:.0f}/s; refused {refused}; lines matched twice: {lines_matched_twice}; "
          f"ledger mismatches: {len(mismatches)}")
    print(f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
          f"{baseline['pgbench_select_tps']:.0f} tps")
    result = {"match_p50_ms": match_p50, "naive_ms": naive_ms, "speedup": naive_ms / match_p50,
              "queries_1000": queries_1000, "queries_10": queries_10, "naive_queries": naive_queries,
              "precision": precision, "recall": recall, "suggested_twice": len(remittances_twice),
              "confirm_per_s": len(to_confirm) / confirm_s, "matched_twice": lines_matched_twice,
              "ledger_mismatches": len(mismatches), "pgbench_select_ms": baseline["pgbench_select_ms"]}
    print("RESULT " + " ".join(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                               for key, value in result.items()))


if __name__ == "__main__":
    main()
