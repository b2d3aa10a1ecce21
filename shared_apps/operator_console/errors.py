from tenant_apps.core.errors import ValidationFailed


class OperatorActionInvalid(ValidationFailed):
    code = "operator_action_invalid"
