from tenant_apps.core.errors import Conflict, DomainError, NotFound, ValidationFailed


class FulfillmentInvalid(ValidationFailed):
    code = "fulfillment_invalid"


class FulfillmentConflict(Conflict):
    code = "fulfillment_conflict"


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"


class ReturnNotFound(NotFound):
    code = "return_not_found"


class CarrierNotFound(NotFound):
    code = "carrier_not_found"


class WebhookRejected(DomainError):
    """A carrier webhook whose signature or timestamp does not verify: 401, nothing written."""

    code = "bad_signature"
    status = 401


class FulfillmentForbidden(DomainError):
    """The actor's role may not do this (the pages check it first; the services check it again)."""

    code = "forbidden"
    status = 403
