"""What accounts announces to the apps above it, which it may not import (docs/dev/layers.md)."""

from django.dispatch import Signal

# Sent by accounts.services.user_create inside its transaction, with `email` and `schema_name`: the public
# "Find my workspace" directory (onboarding) records the new user. A receiver's error rolls the user back.
user_created = Signal()
