"""What happens to an order once submitted: the brand's approval chain (placeholder: an order waits in
"submitted" until the approval workflow lands)."""

from __future__ import annotations


def order_submitted(*, order, actor) -> None:
    """Start the approval chain of a just-submitted order (inside the submission transaction)."""
