"""The order confirmation and the delivery note as PDF (reportlab, A4), in the reader's language.

Chinese needs a CJK font: the one finance's statement uses (finance.statement_files.pdf_font: a TrueType CJK font
of the machine, embedded as a subset, else reportlab's built-in CID font STSong-Light). The header carries the
brand's name and logo. Every text from the data goes through `escape` (reportlab's Paragraph reads markup)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tenant_apps.core.money import format_money
from tenant_apps.core.templatetags.dms_ui import number
from tenant_apps.core.workspace import connection_tenant
from tenant_apps.finance.statement_files import PDF_CONTENT_TYPE, pdf_font
from tenant_apps.reporting.documents.selectors import DeliveryNote, OrderConfirmation

__all__ = ["PDF_CONTENT_TYPE", "brand", "delivery_note_pdf", "order_confirmation_pdf"]

LOGO_MAX_BYTES = 5 * 1024 * 1024


def brand() -> tuple[str, bytes | None]:
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
                logo = handle.read(LOGO_MAX_BYTES)
        except (OSError, ValueError):
            logo = None
    return tenant.brand_name, logo


def when(value) -> str:
    """A moment in the reader's language and the brand's time zone ("" for none)."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def address_text(address: dict) -> str:
    parts = [address.get("recipient", ""), address.get("phone", ""), address.get("area", ""), address.get("line", ""),
             address.get("postal_code", "")]
    return " ".join(str(part) for part in parts if part)


class _Pdf:
    """The shared look: styles, a header with the brand, a facts table, tables with a grid."""

    def __init__(self, font_path: str | None = None):
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.platypus import TableStyle

        self.mm = mm
        self.font = pdf_font(font_path)
        self.body = ParagraphStyle("body", fontName=self.font, fontSize=8.5, leading=11, wordWrap="CJK")
        self.right = ParagraphStyle("right", parent=self.body, alignment=2)
        self.head = ParagraphStyle("head", parent=self.body, fontSize=16, leading=20)
        self.sub = ParagraphStyle("sub", parent=self.body, fontSize=11, leading=15, spaceBefore=6)
        self.grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6"))])
        self.plain_grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def p(self, text, style=None):
        from reportlab.platypus import Paragraph

        return Paragraph(escape(str(text)), style or self.body)

    def num(self, text):
        return self.p(text, self.right)

    def header(self, title: str, number: str) -> tuple[list, str]:
        from reportlab.platypus import Image, Spacer

        name, logo = brand()
        story = []
        if logo:
            try:
                story.append(Image(io.BytesIO(logo), width=30 * self.mm, height=12 * self.mm, kind="proportional"))
            except (OSError, ValueError):
                pass
        story += [self.p(name, self.sub), self.p(f"{title} {number}", self.head), Spacer(1, 3 * self.mm)]
        return story, name

    def facts(self, rows: list[tuple[str, str]], widths: tuple[float, float] = (35, 145), numeric: bool = False):
        from reportlab.platypus import Table

        value = self.num if numeric else self.p
        return Table([[self.p(label), value(text)] for label, text in rows],
                     colWidths=[w * self.mm for w in widths], style=self.plain_grid)

    def table(self, header: list[str], rows: list[list], widths: list[float], numeric: set[int]):
        from reportlab.platypus import Table

        cells = [[self.num(h) if i in numeric else self.p(h) for i, h in enumerate(header)]]
        cells += [[self.num(v) if i in numeric else self.p(v) for i, v in enumerate(row)] for row in rows]
        return Table(cells, colWidths=[w * self.mm for w in widths], repeatRows=1, style=self.grid)

    def build(self, story: list, *, title: str, author: str) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.platypus import SimpleDocTemplate

        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * self.mm, rightMargin=15 * self.mm,
                          topMargin=12 * self.mm, bottomMargin=12 * self.mm, title=title, author=author).build(story)
        return buffer.getvalue()


def order_confirmation_pdf(doc: OrderConfirmation, *, font_path: str | None = None) -> bytes:
    from reportlab.platypus import Spacer

    pdf = _Pdf(font_path)
    order, dealer, currency = doc.order, doc.dealer, doc.order.currency
    title = pgettext("document", "Order confirmation")
    story, author = pdf.header(title, order.number)
    facts = [(_("Order number"), order.number), (_("Status"), order.get_status_display()),
             (_("Placed"), when(order.created_at))]
    if order.submitted_at:
        facts.append((_("Submitted at"), when(order.submitted_at)))
    if order.approved_at:
        facts.append((_("Approved at"), when(order.approved_at)))
    facts += [(_("Dealer"), dealer.legal_name), (_("Dealer code"), dealer.code),
              (_("Tax number"), dealer.tax_number or "—"), (_("Ship to"), address_text(doc.address) or "—")]
    story += [pdf.facts(facts), Spacer(1, 4 * pdf.mm), pdf.p(_("Lines"), pdf.sub)]
    money = lambda amount: format_money(amount, currency)  # noqa: E731
    rows = [[str(line.line_no), line.sku.code, line.sku.name, line.unit.name, number(line.quantity),
             money(line.unit_price), money(line.gross), money(line.discount) if line.discount else "",
             money(line.net)] for line in doc.lines]
    header = ["#", _("SKU"), _("Name"), _("Unit"), _("Quantity"), _("Unit price"), _("Gross"), _("Discount"),
              _("Net")]
    story.append(pdf.table(header, rows, [8, 24, 42, 12, 16, 20, 20, 18, 20], numeric={4, 5, 6, 7, 8}))
    if doc.promotions:
        story.append(pdf.p(_("Promotions applied"), pdf.sub))
        promo_rows = [[promotion["name"] + (f" ({promotion['coupon_code']})" if promotion["coupon_code"] else ""),
                       promotion["explanation"], f"− {money(promotion['discount'])}"] for promotion in doc.promotions]
        story.append(pdf.table([_("Name"), _("Description"), _("Discount")], promo_rows, [55, 95, 30],
                               numeric={2}))
    totals = [(_("Subtotal"), money(order.subtotal)), (_("Discounts"), f"− {money(order.discount_total)}"),
              (_("Total"), money(order.total))]
    story += [Spacer(1, 3 * pdf.mm), pdf.facts(totals, widths=(140, 40), numeric=True)]
    for note in doc.notes:
        story.append(pdf.p(note))
    if order.note:
        story += [pdf.p(_("Note"), pdf.sub), pdf.p(order.note)]
    return pdf.build(story, title=f"{title} {order.number}", author=author)


def delivery_note_pdf(doc: DeliveryNote, *, font_path: str | None = None) -> bytes:
    from reportlab.platypus import Spacer, Table

    pdf = _Pdf(font_path)
    shipment, order, dealer = doc.shipment, doc.order, doc.dealer
    title = pgettext("document", "Delivery note")
    story, author = pdf.header(title, shipment.number)
    carrier = shipment.carrier.name if shipment.carrier_id else _("Own delivery")
    facts = [(_("Shipment number"), shipment.number), (_("Order number"), order.number),
             (_("Status"), shipment.get_status_display()),
             (_("Warehouse"), f"{shipment.warehouse.name} ({shipment.warehouse.code})"),
             (_("Carrier"), carrier), (_("Tracking number"), shipment.tracking_number or "—")]
    if shipment.shipped_at:
        facts.append((_("Shipped at"), when(shipment.shipped_at)))
    facts += [(_("Dealer"), f"{dealer.legal_name} ({dealer.code})"), (_("Ship to"), address_text(doc.address) or "—")]
    story += [pdf.facts(facts), Spacer(1, 4 * pdf.mm), pdf.p(_("Lines"), pdf.sub)]
    rows = [[str(row.line_no), row.sku_code, row.sku_name, row.in_packs, ""] for row in doc.rows]
    story.append(pdf.table(["#", _("SKU"), _("Name"), _("Quantity shipped"), _("Checked")], rows,
                           [8, 30, 62, 60, 20], numeric={3}))
    story.append(Spacer(1, 10 * pdf.mm))
    signatures = [[pdf.p(_("Received by (signature)")), pdf.p(_("Date received"))], ["", ""]]
    box = Table(signatures, colWidths=[90 * pdf.mm, 90 * pdf.mm], rowHeights=[None, 18 * pdf.mm],
                style=pdf.plain_grid)
    story += [box, Spacer(1, 2 * pdf.mm), pdf.p(_("Please check the goods on arrival and note any damage or "
                                                   "shortfall before signing."))]
    return pdf.build(story, title=f"{title} {shipment.number}", author=author)
