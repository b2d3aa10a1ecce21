"""Reads of dealer statements: the ones in the reader's scope, one by id (404 outside it), and a statement laid
out for display and export (sections in print order, their subtotals, disputes per line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.errors import DisputeNotFound, StatementNotFound
from tenant_apps.finance.models import (
    DisputeStatus,
    EntryKind,
    Statement,
    StatementDispute,
    StatementLine,
    StatementSection,
)

ZERO = Decimal("0.00")


def statements_visible_to(user) -> QuerySet[Statement]:
    """The statements of the dealers in the user's data scope (a dealer's staff: their own company's), with
    the number of disputes waiting for an answer."""
    return (Statement.objects.filter(dealer__in=dealers_visible_to(user)).select_related("dealer")
            .annotate(open_disputes=Count("disputes", filter=Q(disputes__status=DisputeStatus.OPEN))))


def _get(queryset, value, error):
    found = None
    if str(value).isdigit() and len(str(value)) < 19:
        found = queryset.filter(pk=int(value)).first()
    if found is None:
        raise error
    return found


def statement_get_for(*, actor, statement_id) -> Statement:
    """The statement, if the actor may see its dealer; StatementNotFound (404) otherwise, existing or not."""
    return _get(statements_visible_to(actor), statement_id, StatementNotFound(_("No such statement.")))


def dispute_get_for(*, actor, statement: Statement, dispute_id) -> StatementDispute:
    """One dispute of a statement the actor may see (statement_get_for first)."""
    return _get(statement.disputes.all(), dispute_id, DisputeNotFound(_("No such dispute on this statement.")))


@dataclass
class SectionView:
    key: str
    title: str
    lines: list = field(default_factory=list)
    total: Decimal = ZERO


@dataclass
class StatementView:
    statement: Statement
    sections: list[SectionView]
    extra: list[dict]  # informational sections (shipments), titles translated
    disputes: list[StatementDispute]

    @property
    def open_disputes(self) -> list[StatementDispute]:
        return [d for d in self.disputes if d.status == DisputeStatus.OPEN]


def kind_label(kind: str) -> str:
    return str(EntryKind(kind).label) if kind in EntryKind.values else kind


def statement_view(statement: Statement) -> StatementView:
    """The statement in print order: money sections with their lines and subtotals (empty ones left out),
    then the informational ones. Three queries whatever the size."""
    disputes = list(statement.disputes.select_related("raised_by", "resolved_by", "adjustment")
                    .order_by("raised_at", "id"))
    by_line: dict[int, list] = {}
    for dispute in disputes:
        by_line.setdefault(dispute.line_id, []).append(dispute)
    sections = {key: SectionView(key=key, title=str(label)) for key, label in StatementSection.choices}
    lines = StatementLine.objects.filter(statement=statement).order_by("entry_id")
    for line in lines:
        line.kind_label = kind_label(line.kind)
        line.dispute_list = by_line.get(line.pk, [])
        line.disputed = any(d.status == DisputeStatus.OPEN for d in line.dispute_list)
        section = sections.get(line.section) or sections[StatementSection.OTHER]
        section.lines.append(line)
        section.total += line.amount
    extra = [{**section, "title": _(section.get("title", "")), "columns": [_(c) for c in section.get("columns", [])]}
             for section in statement.extra_sections or []]
    return StatementView(statement=statement, sections=[s for s in sections.values() if s.lines], extra=extra,
                         disputes=disputes)

