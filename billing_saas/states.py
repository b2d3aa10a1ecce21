"""The subscription's state machine: the one mapping of its legal moves (tenant_apps.core.states).

trialing -> active (paid) | past_due (trial over without a way to pay)
active -> past_due (a renewal failed, a prepaid period ran out)
past_due -> read_only (grace over) -> suspended (longer)
any unpaid state -> active (paid at any point restores)
trialing, active, past_due, read_only -> cancelled (at the end of the period the brand cancelled)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from billing_saas.errors import IllegalSubscriptionMove
from billing_saas.models import SubscriptionState as S
from tenant_apps.core.states import Move, StateMachine

SUBSCRIPTION = StateMachine(
    name="billing.subscription",
    states=S,
    field="state",
    error=IllegalSubscriptionMove,
    moves={
        "activate": Move([S.TRIALING, S.PAST_DUE, S.READ_ONLY, S.SUSPENDED, S.CANCELLED], S.ACTIVE),
        "fall_due": Move([S.TRIALING, S.ACTIVE], S.PAST_DUE),
        "restrict": Move([S.PAST_DUE], S.READ_ONLY),
        "suspend": Move([S.READ_ONLY, S.CANCELLED], S.SUSPENDED),
        "cancel": Move([S.TRIALING, S.ACTIVE, S.PAST_DUE, S.READ_ONLY], S.CANCELLED),
    },
    labels={"activate": _("activated"), "fall_due": _("marked overdue"), "restrict": _("made read-only"),
            "suspend": _("suspended"), "cancel": _("cancelled")},
)

# What the workspace may do in each state: read-only states refuse every write but paying.
WRITABLE = {S.TRIALING, S.ACTIVE, S.PAST_DUE}
