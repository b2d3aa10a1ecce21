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
