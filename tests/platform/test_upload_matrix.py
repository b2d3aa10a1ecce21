"""Every upload field (pages and API) against hostile files: HTML (named .png or .html), SVG, a GIF/HTML polyglot,
a PNG with a trailing <script>, a PDF/HTML polyglot, an oversized file, a decompression bomb, a zip bomb, and a real
PNG under a wrong name (.exe, .html).

Each is either refused with a field error (400) and nothing stored (no row, no file), or, when it really is an
image (or, for documents, a PDF), stored under a name we chose with the extension of what it is, re-encoded (no
trailing HTML survives), and served back with a whitelisted type and nosniff: never as text/html. Files stored
before uploads were checked (under the client's names) are served by the same rule."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import ProductImage
from tenant_apps.core.uploads import IMAGE_MAX_BYTES, LOGO_MAX_BYTES
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import Qualification
from tenant_apps.finance.models import Remittance
from tenants.models import Tenant
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, UserFactory, token_for

HOST = "acme.localhost"
SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<!doctype html><html><body><h1>Licence</h1>" + SCRIPT + b"</body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b'<rect width="9" height="9"/></svg>')


def _png(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _gif_html_polyglot() -> bytes:
    """A GIF that browsers sniffing for HTML find HTML in: in its comment block and after its trailer."""
    buffer = io.BytesIO()
    Image.new("P", (8, 8), 3).save(buffer, "GIF", comment=HTML)
    return buffer.getvalue() + HTML


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _decompression_bomb() -> bytes:
    """A 200-byte PNG that says it is 100,000 x 100,000 pixels (30 GB once decoded)."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * 4096))
            + _chunk(b"IEND", b""))


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("RB.png", b"\0" * (12 * 1024 * 1024))
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    content: Callable[[int], bytes]  # of the field's size limit
    image: str  # what an image field does: "refused" or "image" (stored as a PNG)
    document: str  # what a document field does: "refused", "image" or "pdf"


CASES = [
    Case("html_named_png", "RB.png", lambda limit: HTML, "refused", "refused"),
    Case("html", "RB.html", lambda limit: HTML, "refused", "refused"),
    Case("svg", "RB.svg", lambda limit: SVG, "refused", "refused"),
    Case("gif_html_polyglot", "RB.gif", lambda limit: _gif_html_polyglot(), "image", "image"),
    Case("png_trailing_script", "RB.png", lambda limit: _png() + SCRIPT, "image", "image"),
    Case("pdf_html_polyglot", "RB.html", lambda limit: b"%PDF-1.4\n" + HTML, "refused", "pdf"),
    Case("oversized", "RB.png", lambda limit: _png() + b"\0" * limit, "refused", "refused"),
    Case("decompression_bomb", "RB.png", lambda limit: _decompression_bomb(), "refused", "refused"),
    Case("zip_bomb", "RB.zip", lambda limit: _zip_bomb(), "refused", "refused"),
    Case("png_named_exe", "RB.exe", lambda limit: _png(), "image", "image"),
    Case("png_named_html", "RB.html", lambda limit: _png(), "image", "image"),
]


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "image" or "document"
    limit: int
    post: Callable  # (world, upload) -> response
    errors: Callable  # (response) -> the field's messages
    stored: Callable  # (world) -> [(stored name, bytes, url to fetch it, must be an attachment)]
    done: int  # the status of a successful upload
    by_code: bool = False  # the bulk upload: a file's name must be <product code>.<image extension>


def _form_errors(key: str, field: str):
    return lambda response: [str(message) for message in response.context[key].errors.get(field, [])] + [
        str(message) for message in response.context[key].non_field_errors()]


def _images_stored(world):
    rows = list(ProductImage.objects.filter(product=world.product))
    return [(row.image.name, row.image.read(), row.image.url, False) for row in rows]


def _qualifications_stored(world):
    return [(row.file.name, row.file.read(), f"/account/files/qualifications/{row.pk}/", True)
            for row in Qualification.objects.filter(dealer=world.dealer).exclude(file="")]


def _slips_stored(world):
    return [(row.slip.name, row.slip.read(), f"/account/finance/transfers/{row.pk}/slip/", False)
            for row in Remittance.objects.filter(dealer=world.dealer).exclude(slip="")]


TRANSFER = {"amount": "10.00", "payer_name": "Shanghai Dealer", "remark": "DSH-1"}


def _logo_stored(world):
    tenant = Tenant.objects.get(pk=world.tenant.pk)
    return [(tenant.logo.name, tenant.logo.read(), tenant.logo.url, False)] if tenant.logo else []


FIELDS = [
    Field("catalog_images_page", "image", IMAGE_MAX_BYTES,
          lambda w, f: w.session.post(f"/console/catalog/products/{w.product.pk}/images/", {"images": [f]}),
          _form_errors("images_form", "images"), _images_stored, 302),
    Field("catalog_bulk_images_page", "image", IMAGE_MAX_BYTES,
          lambda w, f: w.session.post("/console/catalog/images/", {"files": [f]}),
          _form_errors("form", "files"), _images_stored, 200, by_code=True),
    Field("qualification_page", "document", IMAGE_MAX_BYTES,
          lambda w, f: w.session.post(f"/console/network/dealers/{w.dealer.pk}/qualifications/new/",
                                      {"type": w.licence.pk, "file": f}),
          _form_errors("form", "file"), _qualifications_stored, 302),
    Field("qualification_api", "document", IMAGE_MAX_BYTES,
          lambda w, f: w.api.post(f"/api/v1/dealers/{w.dealer.pk}/qualifications/", {"type": "FOOD", "file": f}),
          lambda response: response.json()["fields"]["file"], _qualifications_stored, 201),
    Field("branding_logo_page", "image", LOGO_MAX_BYTES,
          lambda w, f: w.session.post("/console/company/", {"display_name": "Acme", "primary_colour": "#1F6FEB",
                                                            "default_locale": "en", "logo": f}),
          _form_errors("form", "logo"), _logo_stored, 302),
    Field("transfer_slip_page", "image", IMAGE_MAX_BYTES,
          lambda w, f: w.clerk_session.post("/account/finance/transfers/",
                                            {**TRANSFER, "paid_on": w.today, "slip": f}),
          _form_errors("form", "slip"), _slips_stored, 302),
    Field("transfer_slip_api", "image", IMAGE_MAX_BYTES,
          lambda w, f: w.clerk_api.post("/api/v1/finance/remittances/", {**TRANSFER, "paid_on": w.today, "slip": f}),
          lambda response: response.json()["fields"]["slip"], _slips_stored, 201),
]


def _expected(field: Field, case: Case) -> str:
    outcome = case.document if field.kind == "document" else case.image
    if field.by_code and outcome != "refused" and Path(case.filename).suffix not in (".png", ".gif", ".jpg"):
        return "refused"  # the bulk upload takes the product code and the image type from the name
    return outcome


@pytest.fixture
def world(tenant_a, in_tenant, media_root):
    with in_tenant(tenant_a):
        hq = dealers.headquarters_ensure(name="HQ")
        dealer = dealers.dealer_create(actor=None, parent=hq, code="SH-1", legal_name="Shanghai Dealer")
        licence = dealers.qualification_type_create(actor=None, code="FOOD", name="Food licence")
        root = catalog.category_create(actor=None, parent=None, code="ALL", name="All")
        product = catalog.product_create(actor=None, category=root, code="RB", name="Red Bull")
        token = Token.objects.create(user=User.objects.get(email="owner@acme.test"))
        clerk = UserFactory(email="slip-clerk@acme.test", role="dealer_finance", dealer=dealer)
        clerk_api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {token_for(clerk)}")
    clerk_session = host_client(HOST)
    assert clerk_session.post("/accounts/login/", {"username": clerk.email,
                                                   "password": DEFAULT_PASSWORD}).status_code == 302
    clerk_session.cookies["django_language"] = "en"
    session = host_client(HOST)
    assert session.post("/accounts/login/", {"username": "owner@acme.test",
                                             "password": DEFAULT_PASSWORD}).status_code == 302
    session.cookies["django_language"] = "en"  # the owner's account may say otherwise
    return SimpleNamespace(tenant=tenant_a, dealer=dealer, licence=licence, product=product, session=session,
                           api=host_client(HOST, HTTP_AUTHORIZATION=f"Token {token.key}"), media=media_root,
                           clerk_session=clerk_session, clerk_api=clerk_api, today=date.today().isoformat())


def _files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.name)
def test_every_upload_field_refuses_or_stores_safely(field, case, world, in_tenant):
    expected = _expected(field, case)
    upload = SimpleUploadedFile(case.filename, case.content(field.limit), content_type="image/png")
    response = field.post(world, upload)
    with in_tenant(world.tenant):
        stored = field.stored(world)
    if expected == "refused":
        assert response.status_code == 400, response.content[:300]
        messages = field.errors(response)
        assert messages and not any("ErrorDetail" in m or "Traceback" in m for m in messages), messages
        if case.name in ("html_named_png", "svg") and not (field.by_code and case.name == "svg"):
            assert any("SVG and HTML files are not accepted" in message for message in messages), messages
        assert stored == []
        assert _files(world.media) == []  # nothing written, not even a stray file
        return
    assert response.status_code == field.done, response.content[:300]
    [(name, data, url, attachment)] = stored
    basename = name.rsplit("/", 1)[-1]
    assert "RB" not in basename and basename.endswith(".pdf" if expected == "pdf" else ".png"), name
    assert re.fullmatch(r"(logo-)?[0-9a-f]{8,32}\.(png|pdf)", basename), name
    assert b"<script" not in data.lower() or expected == "pdf"  # images are re-encoded: nothing trails them
    if expected == "image":
        assert Image.open(io.BytesIO(data)).format == "PNG"
    served = world.session.get(url)
    assert served.status_code == 200
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "html" not in served["Content-Type"]
    if expected == "pdf":
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"].startswith("attachment")
    else:
        assert served["Content-Type"] == "image/png"
        assert served["Content-Disposition"].startswith("attachment" if attachment else "inline")


OLD_FILES = {  # stored before uploads were checked, under the client's names
    "evil.html": ("application/octet-stream", "attachment"),
    "evil.svg": ("application/octet-stream", "attachment"),
    "evil.htm": ("application/octet-stream", "attachment"),
    "evil.png": ("image/png", "inline"),  # HTML inside: nosniff keeps the browser from reading it as HTML
    "noextension": ("application/octet-stream", "attachment"),
}


@pytest.mark.parametrize("filename", OLD_FILES)
def test_files_stored_before_the_checks_never_come_back_as_html(filename, world, in_tenant):
    content_type, disposition = OLD_FILES[filename]
    for folder in (world.media / "t_acme" / "catalog", world.media / "branding" / "t_acme"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / filename).write_bytes(HTML)
    for url in (f"/media/t_acme/catalog/{filename}", f"/media/branding/t_acme/{filename}"):
        served = world.session.get(url)
        assert served.status_code == 200
        assert (served["Content-Type"], served["X-Content-Type-Options"]) == (content_type, "nosniff")
        assert served["Content-Disposition"].startswith(disposition)
    anonymous = host_client(HOST).get(f"/media/branding/t_acme/{filename}")  # the logo folder is public
    assert anonymous["Content-Type"] == content_type and anonymous["X-Content-Type-Options"] == "nosniff"


def test_an_old_qualification_document_is_always_a_download(world, in_tenant):
    with in_tenant(world.tenant):
        row = dealers.qualification_add(actor=None, dealer=world.dealer, type=world.licence)
        row.file.save("licence.html", SimpleUploadedFile("licence.html", HTML))  # as it was before the checks
    served = world.session.get(f"/account/files/qualifications/{row.pk}/")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
