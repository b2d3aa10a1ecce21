"""Import and export of price entries: per-row errors, all or nothing, only changed rows written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.core.tables import xlsx_bytes
from tenant_apps.pricing import services
from tenant_apps.pricing.models import PriceEntry
from tenant_apps.pricing.transfer import COLUMNS, prices_export, prices_import


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode()


@pytest.fixture
def lists(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = services.price_list_create(actor=None, code="BASE", name="基础价", kind="base",
                                          valid_from=date(2026, 1, 1), status="active")
        tier = services.price_list_create(actor=None, code="TIER-A", name="A 级", kind="tier", tier=world.tier_a,
                                          valid_from=date(2026, 1, 1))
        yield base, tier


GOOD = ["BASE,RB-250,pc,1,6.00", "BASE,RB-250,pc,48,5.50", "BASE,RB-250,case,1,130", "BASE,DP-250,pc,,4.8",
        "TIER-A,RB-250,pc,1,5.80"]


def test_import_creates_then_touches_only_the_changed_row(world, lists, tenant_a, in_tenant, count_queries):
    with in_tenant(tenant_a):
        result = prices_import(actor=None, file=_csv(GOOD), filename="prices.csv")
        assert (result.applied, result.created, result.updated, result.errors) == (True, 5, 0, [])
        assert PriceEntry.objects.filter(price_list=lists[0], sku=world.dp).get().price == Decimal("4.8")

        changed = [*GOOD[:2], "BASE,RB-250,case,1,128.50", *GOOD[3:]]
        with count_queries() as queries:
            result = prices_import(actor=None, file=_csv(changed), filename="prices.csv")
        assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 1, 4, 0)
        updates = [sql for sql in queries.sql if sql.startswith("UPDATE")]
        inserts = [sql for sql in queries.sql if sql.startswith("INSERT") and "pricing_priceentry" in sql]
        assert len(updates) == 1 and "pricing_priceentry" in updates[0] and inserts == []
        assert PriceEntry.objects.get(price_list=lists[0], sku=world.rb, unit=world.case).price == Decimal("128.5")


def test_three_bad_rows_write_nothing_and_are_named(world, lists, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        rows = [*GOOD, "NOPE,RB-250,pc,1,1", "BASE,RB-250,pc,5,-3", "BASE,DP-250,kg,1,2", "BASE,RB-250,pc,1,6.10"]
        result = prices_import(actor=None, file=_csv(rows), filename="prices.csv")
        assert not result.applied
        assert [(e.row, e.field) for e in result.errors] == [
            (7, "list_code"), (8, "price"), (9, "unit_code"), (10, "sku_code")]
        assert "row 2" in result.errors[3].message  # the duplicate names the first one
        assert PriceEntry.objects.count() == 0


def test_remove_missing_deletes_what_the_file_leaves_out(world, lists, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        prices_import(actor=None, file=_csv(GOOD), filename="prices.csv")
        result = prices_import(actor=None, file=_csv(GOOD[:2]), filename="prices.csv", remove_missing=True)
        assert (result.deleted, result.unchanged) == (2, 2)
        assert PriceEntry.objects.filter(price_list=lists[0]).count() == 2
        assert PriceEntry.objects.filter(price_list=lists[1]).count() == 1  # not in the file: left alone


def test_export_reimports_unchanged_in_both_formats(world, lists, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        prices_import(actor=None, file=_csv(GOOD), filename="prices.csv")
        owner = User.objects.get(email="owner@acme.test")
        content, content_type, filename = prices_export(actor=owner, fmt="csv")
        assert content.decode("utf-8-sig").splitlines()[1] == "BASE,DP-250,pc,1,4.80,CNY"
        assert filename.endswith(".csv") and content_type.startswith("text/csv")
        again = prices_import(actor=None, file=content, filename=filename)
        assert (again.applied, again.unchanged, again.updated, again.created) == (True, 5, 0, 0)
        xlsx, _type, name = prices_export(actor=owner, fmt="xlsx", price_list=lists[1])
        assert prices_import(actor=None, file=xlsx, filename=name).unchanged == 1


def test_xlsx_with_chinese_headers(world, lists, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        content = xlsx_bytes(["价目表", "商品编码", "单位", "起订量", "价格"], [["BASE", "RB-250", "pc", "1", "6.2"]],
                             sheet="价格")
        result = prices_import(actor=None, file=content, filename="价格.xlsx")
        assert (result.applied, result.created) == (True, 1)
