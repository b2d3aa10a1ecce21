"""finance's models, one module per area (ledger.py explains the sign convention every area follows)."""

from tenant_apps.finance.models.bank import (  # noqa: F401
    BankMapping,
    BankMatch,
    BankSettings,
    BankStatementLine,
    Confidence,
    LineStatus,
    MatchHow,
    Remittance,
    RemittanceStatus,
    StatementImport,
)
from tenant_apps.finance.models.invoices import (  # noqa: F401
    DealerTaxProfile,
    InvoiceKind,
    InvoiceRequest,
    InvoiceStatus,
    InvoiceSubject,
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
    SupplierTerms,
    TermsKind,
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
from tenant_apps.finance.models.rebates import (  # noqa: F401
    RebateLine,
    RebateMode,
    RebatePeriod,
    RebateRule,
    RebateRun,
    RebateRunStatus,
)
from tenant_apps.finance.models.receivables import (  # noqa: F401
    BlockLift,
    Receivable,
    ReceivableReminder,
    ReminderStep,
)
from tenant_apps.finance.models.statements import (  # noqa: F401
    DisputeStatus,
    Statement,
    StatementDispute,
    StatementLine,
    StatementSection,
    StatementStatus,
)
