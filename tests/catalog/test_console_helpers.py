"""Shared set-up of the catalog console tests (a module, not a conftest: the other catalog tests keep theirs)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenant_apps.accounts.services import user_create
from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services as dealers
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

ROLES = ("admin", "analyst", "sales_rep", "dealer_buyer")


def png(name: str, colour=(200, 30, 30), size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def zipped(name: str, files: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def sign_in(role: str):
    client = host_client("acme.localhost")
    email = "owner@acme.test" if role == "owner" else f"{role}@acme.test"
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def console(tenant_a, in_tenant):
    """A small catalog on tenant A (two categories under a root, a series, a unit, two products with a
    SKU each) and one user per role of interest."""
    with in_tenant(tenant_a):
        hq = dealers.headquarters_ensure(name="HQ")
        dealer = dealers.dealer_create(actor=None, parent=hq, code="SH-1", legal_name="上海经销商")
        for role in ROLES:
            user_create(actor=None, email=f"{role}@acme.test", password=DEFAULT_PASSWORD, role=role,
                        dealer=dealer if role.startswith("dealer") else None)
        piece = catalog.unit_ensure(code="pc", name="罐")
        box = catalog.unit_ensure(code="box", name="箱")
        root = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
        energy = catalog.category_create(actor=None, parent=root, code="ENERGY", name="能量饮料")
        water = catalog.category_create(actor=None, parent=root, code="WATER", name="饮用水")
        line = catalog.series_create(actor=None, code="RED", name="红牛系列")
        rb = catalog.product_create(actor=None, category=energy, code="RB", name="红牛维生素功能饮料",
                                    series=line, status="on_sale")
        rb_sku = catalog.sku_create(actor=None, product=rb, code="RB-250", name="红牛 250ml", base_unit=piece,
                                    barcode="6901234567892")
        nf = catalog.product_create(actor=None, category=water, code="NF", name="农夫山泉天然水")
        catalog.sku_create(actor=None, product=nf, code="NF-550", name="农夫山泉 550ml", base_unit=piece)
    return {"tenant": tenant_a, "piece": piece, "box": box, "root": root, "energy": energy, "water": water,
            "series": line, "rb": rb, "rb_sku": rb_sku, "nf": nf}
