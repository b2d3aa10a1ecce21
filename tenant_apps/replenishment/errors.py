from tenant_apps.core.errors import ValidationFailed
from tenant_apps.core.tables import MoreErrors, RowError, capped_errors


class ReplenishmentInvalid(ValidationFailed):
    code = "replenishment_invalid"


class SellOutInvalid(ValidationFailed):
    """A sell-out file or batch with bad rows: `errors` names each (row, field, message); nothing was written."""

    code = "sell_out_invalid"

    def __init__(self, detail, *, errors: list[RowError], prefix: str = "rows"):
        super().__init__(detail, fields={})
        self.errors = errors = capped_errors(errors)
        for error in errors:
            name = prefix if isinstance(error, MoreErrors) else (
                f"{prefix}.{error.row}.{error.field}" if error.row else error.field or "file")
            self.fields.setdefault(name, []).append(str(error.message))
