from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


class InventoryInvalid(ValidationFailed):
    code = "inventory_invalid"


class InsufficientStock(Conflict):
    """Not enough available (or reserved) stock for the movement; nothing was changed."""

    code = "insufficient_stock"


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"
