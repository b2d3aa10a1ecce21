"""finance's models, one module per area (ledger.py explains the sign convention every area follows)."""

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
from tenant_apps.finance.models.payments import (  # noqa: F401
    IdempotentRequest,
    Payment,
    PaymentPurpose,
    PaymentRefund,
    PaymentState,
    ProviderAccount,
    ProviderWebhookEvent,
)
