from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


class DealerInvalid(ValidationFailed):
    code = "dealer_invalid"


class DealerNotFound(NotFound):
    code = "dealer_not_found"


class NodeNotFound(NotFound):
    code = "node_not_found"


class IllegalDealerTransition(Conflict):
    code = "illegal_transition"


class NetworkConflict(Conflict):
    code = "network_conflict"


class OutsideTerritory(ValidationFailed):
    code = "outside_territory"


class SupplierConflict(Conflict):
    code = "supplier_conflict"
