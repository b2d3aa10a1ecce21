from tenant_apps.core.errors import Conflict, ValidationFailed


class UserInvalid(ValidationFailed):
    code = "user_invalid"


class EmailTaken(Conflict):
    code = "email_taken"


class InvitationInvalid(UserInvalid):
    code = "invitation_invalid"


class InvitationUnusable(Conflict):
    code = "invitation_unusable"
