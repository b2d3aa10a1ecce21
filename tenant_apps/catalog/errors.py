from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


class CatalogInvalid(ValidationFailed):
    code = "catalog_invalid"


class CatalogNotFound(NotFound):
    code = "catalog_not_found"


class IllegalProductTransition(Conflict):
    code = "illegal_transition"
