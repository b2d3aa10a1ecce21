"""Demo catalog and stock of a brand: its own lines (series) in 5 categories, 100 products x 5 pack sizes = 500 SKUs,
each product with a drawn picture of its bottle, can, carton or tile, stocked in 2 warehouses. The products are in
`products.py`; built through the catalog and inventory services."""

from __future__ import annotations

import random

from django.core.files.uploadedfile import SimpleUploadedFile

from shared_apps.demo.images import product_picture
from shared_apps.demo.products import CATALOGS, items, sku_code
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Category
from tenant_apps.inventory import services as inventory
from tenant_apps.inventory.models import Warehouse
from tenants.workspace import WAREHOUSE_CODE

# the demo's unit words that are units every workspace has (tenants.workspace: UN/ECE codes)
UNECE = {"btl": "BO", "ctn": "BX", "case": "CS", "box": "BX", "can": "CA"}


def _ean13(number: int) -> str:
    digits = f"69{number:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def seed_catalog(*, brand_slug: str, colour: str = "#1F6FEB", actor=None) -> None:
    """Idempotent: does nothing once the catalog has categories. `colour` is the brand's, for the labels."""
    if Category.objects.exists():
        return
    spec = CATALOGS[brand_slug]
    rng = random.Random(brand_slug)
    # the workspace's units (tenants.workspace, UN/ECE codes) where the demo's words name one of them
    units = {code: catalog.unit_ensure(code=UNECE.get(code, code), name=name) for code, name in spec.units.items()}
    case = catalog.unit_ensure(code=UNECE.get(spec.case[0], spec.case[0]), name=spec.case[1])
    root = catalog.category_create(actor=actor, parent=None, code="ALL", name=spec.root[0], name_en=spec.root[1])
    main = Warehouse.objects.filter(code=WAREHOUSE_CODE).first()  # the workspace's own: the first demo warehouse
    warehouses = [main if index == 0 and main else inventory.warehouse_create(actor=actor, code=code, name=name)
                  for index, (code, name) in enumerate(spec.warehouses)]
    categories, lines = {}, {}
    number = 0
    for item in items(spec):
        group, line = item.group, item.line
        if group.code not in categories:
            categories[group.code] = catalog.category_create(actor=actor, parent=root, code=group.code,
                                                             name=group.name, name_en=group.name_en)
        if line.code not in lines:
            lines[line.code] = catalog.series_create(actor=actor, code=line.code, name=line.name)
        product = catalog.product_create(
            actor=actor, category=categories[group.code], series=lines[line.code], code=item.code, name=item.name,
            name_en=item.name_en, status="on_sale", specifications={spec.origin_key: rng.choice(spec.origins)},
        )
        picture = product_picture(shape=line.shape, liquid=item.colour, brand=colour, label=item.short,
                                  mark=line.name if item.short != line.name else "", pattern=line.pattern,
                                  seed=item.code)
        catalog.product_image_add(actor=actor, product=product, image=SimpleUploadedFile(
            f"{item.code}.png", picture, content_type="image/png"))
        base = units[spec.shape_units[line.shape]]
        for v_index, variant in enumerate(group.variants):
            number += 1
            sku = catalog.sku_create(
                actor=actor, product=product, code=sku_code(item.code, v_index),
                name=f"{product.name} {variant.label}", base_unit=units[variant.unit] if variant.unit else base,
                attributes={spec.size_key: variant.label}, barcode=_ean13(number + spec.barcode_base),
                min_order_qty=variant.per_case, order_step=variant.per_case, units=[(case, variant.per_case, "")],
            )
            for warehouse in warehouses:
                quantity = rng.choice([0, 5, 40, 120, 600, 2400]) * variant.per_case
                if quantity:
                    inventory.stock_receive(actor=actor, sku_id=sku.pk, warehouse_id=warehouse.pk,
                                            quantity=quantity, reference="DEMO-INIT")
                inventory.low_threshold_set(actor=actor, sku_id=sku.pk, warehouse_id=warehouse.pk,
                                            threshold=20 * variant.per_case)
    inventory.low_stock_scan()
