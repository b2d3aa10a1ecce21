"""What billing tells the layers above it (it imports none of them): the tenant lifecycle connects to this in its
`ready()` to mirror the plan and the billing state on the tenant row (routing reads them on every request) and to
suspend or restore the workspace."""

from django.dispatch import Signal

# sender: Subscription; kwargs: subscription, change (SubscriptionChange)
subscription_changed = Signal()
