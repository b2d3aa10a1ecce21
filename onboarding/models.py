"""Public-schema index of which workspaces an email belongs to, for "Find my workspace".

Kept in step by accounts.services when users are created; it holds no password or profile data.
"""

from django.db import models


class WorkspaceMembership(models.Model):
    email = models.EmailField(db_index=True)
    schema_name = models.CharField(max_length=63)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "schema_name"], name="one_membership_per_workspace")]

    def __str__(self) -> str:
        return f"{self.email} @ {self.schema_name}"
