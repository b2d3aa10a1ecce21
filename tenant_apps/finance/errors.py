from tenant_apps.core.errors import Conflict, DomainError, NotFound, ValidationFailed


class FinanceInvalid(ValidationFailed):
    code = "finance_invalid"


class CreditShort(Conflict):
    """Not enough available (balance and/or credit) for the hold; nothing was changed."""

    code = "credit_insufficient"

    def __init__(self, detail, *, available, needed, currency):
        super().__init__(detail)
        self.available, self.needed, self.currency = available, needed, currency

    def as_dict(self) -> dict:
        return {**super().as_dict(), "available": str(self.available), "needed": str(self.needed),
                "currency": self.currency}


class AdjustmentNotPending(Conflict):
    code = "adjustment_not_pending"


class SecondPersonRequired(Conflict):
    """An adjustment above the threshold is approved by someone other than the person who asked for it."""

    code = "second_person_required"


class AccountNotFound(NotFound):
    code = "account_not_found"


class AdjustmentNotFound(NotFound):
    code = "adjustment_not_found"


class RebateRuleNotFound(NotFound):
    code = "rebate_rule_not_found"


class RebateRunNotFound(NotFound):
    code = "rebate_run_not_found"


class RebateLineNotFound(NotFound):
    code = "rebate_line_not_found"


class RebateRunNotDraft(Conflict):
    """The run was approved already: its lines are credited and no longer change."""

    code = "rebate_run_not_draft"


class RebateRuleInUse(Conflict):
    code = "rebate_rule_in_use"


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"


class InvoiceConflict(Conflict):
    """An invoice request's state does not allow this (already issued, being issued, cancelled), or the
    reference has an open request already."""

    code = "invoice_conflict"


class TaxProfileMissing(Conflict):
    code = "tax_profile_missing"


class TaxProfileNotFound(NotFound):
    code = "tax_profile_not_found"


class FinanceForbidden(DomainError):
    """The actor may not do this (a service's own check of its capability): 403."""

    code = "finance_forbidden"
    status = 403
class PaymentAlreadyReversed(Conflict):
    code = "payment_already_reversed"


# --- bank transfers and statements ---------------------------------------------------------------------------


class BankLineNotOpen(Conflict):
    """The statement line is matched already (or marked not ours): a line is applied at most once."""

    code = "bank_line_not_open"


class BankMatchReversed(Conflict):
    code = "bank_match_reversed"


class RemittanceNotPending(Conflict):
    code = "remittance_not_pending"


class StatementDuplicate(Conflict):
    """The same file (same bytes) was imported before."""

    code = "statement_already_imported"


class RemittanceNotFound(NotFound):
    code = "remittance_not_found"


class StatementNotFound(NotFound):
    code = "statement_not_found"


class DisputeNotFound(NotFound):
    code = "statement_dispute_not_found"


class StatementStateError(Conflict):
    """A statement move its state does not allow (confirm a confirmed one, answer an answered dispute)."""

    code = "statement_state"


class StatementLedgerMismatch(Conflict):
    """The ledger's running total disagrees with its sum (finance_check): no statement is issued."""

    code = "statement_ledger_mismatch"
class BankLineNotFound(NotFound):
    code = "bank_line_not_found"


class BankMatchNotFound(NotFound):
    code = "bank_match_not_found"


class BankMappingNotFound(NotFound):
    code = "bank_mapping_not_found"


class StatementUnreadable(ValidationFailed):
    """Nothing of the statement file was imported: `errors` lists the problems by row (core.tables.RowError;
    row 0 is the file), at most 100 and a last "… and N more"."""

    code = "statement_unreadable"

    def __init__(self, errors: list):
        super().__init__(errors[0].message, fields={"file": [errors[0].message]})
        self.errors = errors

    @property
    def problem_count(self) -> int:
        return sum(getattr(error, "count", 0) or 1 for error in self.errors)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": [{"row": e.row, "field": e.field, "message": e.message}
                                                for e in self.errors]}
# --- online payments (finance.payments) ----------------------------------------------------------------------


class PaymentNotFound(NotFound):
    code = "payment_not_found"


class ProviderNotConnected(Conflict):
    """The brand has no enabled account at that provider."""

    code = "payment_provider_not_connected"


class PaymentProviderFailed(DomainError):
    """The provider refused the call or could not be reached; nothing changed on our side."""

    code = "payment_provider_error"
    status = 502


class IllegalPaymentMove(Conflict):
    code = "payment_illegal_transition"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422


class WebhookNotVerified(ValidationFailed):
    code = "webhook_not_verified"
