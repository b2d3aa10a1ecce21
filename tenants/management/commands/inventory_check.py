from tenant_apps.inventory.selectors import ledger_mismatches
from tenants.ledger_check import LedgerCheckCommand


class Command(LedgerCheckCommand):
    help = "Prove that every stock row equals the sum of its ledger, in every tenant (or one)."
    mismatches = staticmethod(ledger_mismatches)
    rows = "stock rows"
