"""Fixtures of the finance tests: two dealers of tenant A, brand finance people and a dealer's finance clerk."""

from types import SimpleNamespace

import pytest
from django.db import connection

from tenant_apps.finance.models import DealerAccount, DealerSettlement, LedgerEntry
from tests.factories import UserFactory
from tests.factories.dealers import DealerFactory


def make_books(tag: str = "fin") -> SimpleNamespace:
    """In the current schema: dealers `one` and `two`, two brand finance people, `one`'s finance clerk."""
    one = DealerFactory(code=f"{tag}-1", legal_name=f"{tag} 一号经销商")
    two = DealerFactory(code=f"{tag}-2", legal_name=f"{tag} 二号经销商")
    return SimpleNamespace(
        one=one, two=two,
        finance=UserFactory(email=f"{tag}-finance@acme.test", role="finance"),
        controller=UserFactory(email=f"{tag}-controller@acme.test", role="finance"),
        clerk=UserFactory(email=f"{tag}-clerk@acme.test", role="dealer_finance", dealer=one),
    )


@pytest.fixture
def books(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = make_books()
        made.tenant = tenant_a
        yield made


def finance_rows_delete(dealer_ids: list[int]) -> None:
    """Remove the dealers' accounts, ledgers and terms that a test committed for real (real connections: no
    rollback). The ledger refuses deletes through the ORM (append-only), so SQL."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_ledgerentry WHERE dealer_id = ANY(%s)", [dealer_ids])
    assert not LedgerEntry.objects.filter(dealer_id__in=dealer_ids).exists()
    DealerAccount.objects.filter(dealer_id__in=dealer_ids).delete()
    DealerSettlement.objects.filter(dealer_id__in=dealer_ids).delete()
