from tenant_apps.core.errors import Conflict, DomainError, NotFound, ValidationFailed


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


class PeopleManagementOff(DomainError):
    """The brand does not let dealers manage their own people (403)."""

    code = "dealer_people_off"
    status = 403
