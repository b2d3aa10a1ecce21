"""A payment's state machine (tenant_apps.core.states): the one mapping of its legal moves.

pending -> succeeded (the provider took the money) | failed (declined, cancelled, expired)
failed -> succeeded (the payer tried again on the same provider payment and it went through)
succeeded, partially_refunded -> partially_refunded (a part paid back) | refunded (all of it paid back)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tenant_apps.core.states import Move, StateMachine
from tenant_apps.finance.errors import IllegalPaymentMove
from tenant_apps.finance.models import PaymentState as S

PAYMENT = StateMachine(
    name="finance.payment",
    states=S,
    field="state",
    error=IllegalPaymentMove,
    moves={
        "succeed": Move([S.PENDING, S.FAILED], S.SUCCEEDED, audited_as="succeeded"),
        "fail": Move([S.PENDING], S.FAILED, audited_as="failed"),
        "refund_part": Move([S.SUCCEEDED, S.PARTIALLY_REFUNDED], S.PARTIALLY_REFUNDED,
                            audited_as="partially_refunded"),
        "refund_all": Move([S.SUCCEEDED, S.PARTIALLY_REFUNDED], S.REFUNDED, audited_as="refunded"),
    },
    labels={"succeed": _("paid"), "fail": _("marked failed"), "refund_part": _("partly refunded"),
            "refund_all": _("refunded")},
)
