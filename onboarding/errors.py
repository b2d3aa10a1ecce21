from tenant_apps.core.errors import ValidationFailed


class SignupInvalid(ValidationFailed):
    code = "signup_invalid"
