from tenant_apps.finance.selectors import ledger_mismatches
from tenants.ledger_check import LedgerCheckCommand


class Command(LedgerCheckCommand):
    help = "Prove that every dealer account equals the sum of its ledger, in every tenant (or one)."
    mismatches = staticmethod(ledger_mismatches)
    rows = "dealer accounts"
