from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


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
