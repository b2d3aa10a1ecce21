"""finance's models, one module per area (ledger.py explains the sign convention every area follows)."""

from tenant_apps.finance.models.bank import (  # noqa: F401
    BankMapping,
    BankMatch,
    BankSettings,
    Confidence,
    LineStatus,
    MatchHow,
    Remittance,
    RemittanceStatus,
    StatementImport,
    StatementLine,
)
from tenant_apps.finance.models.ledger import (  # noqa: F401
    AMOUNT,
    TOTAL,
    Adjustment,
    AdjustmentStatus,
    DealerAccount,
    DealerSettlement,
    EntryKind,
    FinanceSettings,
    LedgerEntry,
    LedgerQuerySet,
    SettlementMode,
)
