"""A dealer statement as a PDF (reportlab) and as an XLSX workbook (openpyxl).

PDF: Chinese needs a CJK font. The first TrueType collection found of FONT_FILES (settings.STATEMENT_PDF_FONT
first; `make browser` installs Debian's fonts-wqy-microhei) is embedded (subset); on a machine with none, the
PDF names reportlab's built-in CID font STSong-Light, which every PDF reader supplies (not embedded). The header
carries the brand's name and logo.

XLSX: money as numbers, text as text; a text cell starting with = + - @ (or a tab or carriage return) is written
behind an apostrophe and typed as a string, so no value from the data runs as a formula."""

from __future__ import annotations

import functools
import io
import logging
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.core.workspace import connection_tenant
from tenant_apps.finance.selectors_statements import StatementView

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FALLBACK_FONT = "STSong-Light"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


@functools.cache
def pdf_font(path: str | None = None) -> str:
    """The registered font name: a TrueType CJK font file when one exists, else the built-in CID font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    candidates = [path] if path else [getattr(settings, "STATEMENT_PDF_FONT", ""), *FONT_FILES]
    for candidate in filter(None, candidates):
        if Path(candidate).is_file():
            try:
                name = f"StatementCJK-{Path(candidate).stem}"
                pdfmetrics.registerFont(TTFont(name, candidate, subfontIndex=0))
            except (TTFError, OSError) as error:
                logger.warning("statement font unusable", extra={"font": candidate, "error": str(error)})
                continue
            return name
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def _brand() -> tuple[str, bytes | None]:
    """The brand's name and logo bytes (None without one, or when it cannot be read)."""
    from django_tenants.utils import get_tenant_model

    try:
        tenant = connection_tenant()
    except get_tenant_model().DoesNotExist:  # no brand on this schema: no header
        return "", None
    logo = None
    if tenant.logo:
        try:
            with tenant.logo.open("rb") as handle:
                logo = handle.read(5 * 1024 * 1024)
        except (OSError, ValueError):
            logo = None
    return tenant.brand_name, logo


def _dates(statement) -> str:
    first = timezone.localtime(statement.starts_at).date()
    last = (timezone.localtime(statement.ends_at) - timezone.timedelta(seconds=1)).date()
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


def statement_pdf(view: StatementView, *, font_path: str | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = pdf_font(font_path)
    statement = view.statement
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=20)
    sub = ParagraphStyle("sub", parent=body, fontSize=11, leading=15, spaceBefore=6)

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    brand, logo = _brand()
    story = []
    if logo:
        try:
            story.append(Image(io.BytesIO(logo), width=30 * mm, height=12 * mm, kind="proportional"))
        except (OSError, ValueError):
            pass
    story += [p(brand, sub), p(f"{_('Statement')} {statement.number}", head), Spacer(1, 3 * mm)]
    dealer = statement.dealer
    facts = [
        [p(_("Dealer")), p(f"{dealer.legal_name} ({dealer.code})")],
        [p(_("Period")), p(_dates(statement))],
        [p(_("Currency")), p(statement.currency)],
        [p(_("Status")), p(statement.get_status_display())],
        [p(_("Opening balance")), p(money(statement.opening))],
        [p(_("Closing balance")), p(money(statement.closing))],
    ]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    story += [Table(facts, colWidths=[35 * mm, 140 * mm], style=grid), Spacer(1, 4 * mm)]
    widths = [22 * mm, 28 * mm, 35 * mm, 48 * mm, 22 * mm, 25 * mm]
    header = [p(_("Date")), p(_("Kind")), p(_("Reference")), p(_("Note")), p(_("Amount")), p(_("Balance after"))]
    for section in view.sections:
        rows = [header] + [[p(f"{timezone.localtime(line.occurred_at):%Y-%m-%d}"), p(line.kind_label),
                            p(line.reference), p(line.reason), p(money(line.amount)), p(money(line.running))]
                           for line in section.lines]
        rows.append([p(_("Subtotal")), "", "", "", p(money(section.total)), ""])
        story += [p(section.title, sub), Table(rows, colWidths=widths, repeatRows=1, style=grid)]
    story += [Spacer(1, 3 * mm), p(f"{_('Opening balance')} {money(statement.opening)} + "
                                   f"{_('Movements')} {money(statement.total)} = "
                                   f"{_('Closing balance')} {money(statement.closing)}", sub)]
    for extra in view.extra:
        columns = extra["columns"] or [""]
        rows = [[p(c) for c in columns]] + [[p(v) for v in row] for row in extra["rows"]]
        story += [p(extra["title"], sub),
                  Table(rows, colWidths=[180 * mm / len(columns)] * len(columns), repeatRows=1, style=grid)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
                      bottomMargin=12 * mm, title=f"{_('Statement')} {statement.number}",
                      author=brand).build(story)
    return buffer.getvalue()


def xlsx_text(value) -> str:
    """Text for a cell: illegal control characters dropped; formula starts put behind an apostrophe."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def statement_xlsx(view: StatementView) -> bytes:
    from openpyxl import Workbook

    statement = view.statement
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Statement"

    def row(*values):
        cells = []
        for value in values:
            if isinstance(value, Decimal):
                cells.append(value)
            else:
                cells.append(xlsx_text(value))
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula

    brand, _logo = _brand()
    row(brand)
    row(_("Statement"), statement.number)
    row(_("Dealer"), statement.dealer.legal_name, statement.dealer.code)
    row(_("Period"), _dates(statement))
    row(_("Currency"), statement.currency)
    row(_("Status"), statement.get_status_display())
    row(_("Opening balance"), statement.opening)
    row()
    for section in view.sections:
        row(section.title)
        row(_("Date"), _("Kind"), _("Reference"), _("Note"), _("Amount"), _("Balance after"))
        for line in section.lines:
            row(f"{timezone.localtime(line.occurred_at):%Y-%m-%d %H:%M}", line.kind_label, line.reference,
                line.reason, line.amount, line.running)
        row(_("Subtotal"), "", "", "", section.total)
        row()
    row(_("Closing balance"), statement.closing)
    for extra in view.extra:
        row()
        row(extra["title"])
        row(*extra["columns"])
        for values in extra["rows"]:
            row(*values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
