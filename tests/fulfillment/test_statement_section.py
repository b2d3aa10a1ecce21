"""Fulfilment fills the shipments section of the dealer's monthly statement (finance.statement_sections)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from tenant_apps.finance import services as finance
from tenant_apps.finance.models import Statement
from tenant_apps.finance.services_statements import statements_generate
from tests.factories.fulfillment import ship_everything


def test_the_statement_lists_the_periods_shipments_of_the_dealer(store, people, allocated, carrier):
    shipments = ship_everything(allocated, people, carrier)
    finance.top_up_record(actor=people.owner, dealer=store.dealer, amount="10.00", reference="BANK-1")
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        statements_generate(actor=None)
    statement = Statement.objects.get(dealer=store.dealer)
    (section,) = [s for s in statement.extra_sections if s["key"] == "shipments"]
    assert section["title"] == "Shipments"
    assert sorted(row[1] for row in section["rows"]) == sorted(s.number for s in shipments)
    assert {row[2] for row in section["rows"]} == {allocated.number}
