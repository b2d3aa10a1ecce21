"""Images in the console: several at once on a product, reorder and delete; bulk upload by product code
(files or a zip), all or nothing."""

import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import ProductImage
from tests.catalog import test_console_helpers
from tests.catalog.test_console_helpers import png, sign_in, zipped

console = test_console_helpers.console  # the fixture


def _images(tenant, in_tenant, product):
    with in_tenant(tenant):
        return list(ProductImage.objects.filter(product=product).values_list("image", flat=True))


def _colours(tenant, in_tenant, product):
    """The colour of each of the product's stored images, in order (stored names are ours: random)."""
    from PIL import Image

    with in_tenant(tenant):
        colours = []
        for row in ProductImage.objects.filter(product=product):
            with row.image.open("rb") as file, Image.open(file) as picture:
                colours.append(picture.convert("RGB").getpixel((0, 0)))
        return colours


def test_upload_several_images_at_once_then_reorder_and_delete(console, in_tenant, media_root,
                                                               django_capture_on_commit_callbacks):
    owner = sign_in("owner")
    rb = console["rb"]
    url = f"/console/catalog/products/{rb.pk}/"
    form = owner.get(url).content.decode()
    assert 'type="file" name="images"' in form and "multiple" in form.split('name="images"')[1].split(">")[0]
    done = owner.post(f"{url}images/", {"images": [png("front.png"), png("back.png", (0, 0, 200)),
                                                   png("side.png", (0, 200, 0))]}, follow=True)
    assert "3 images added." in done.content.decode()
    names = _images(console["tenant"], in_tenant, rb)
    assert all(re.fullmatch(r"catalog/[0-9a-f]{32}\.png", name) for name in names)
    assert _colours(console["tenant"], in_tenant, rb) == [(200, 30, 30), (0, 0, 200), (0, 200, 0)]
    with in_tenant(console["tenant"]):
        first, second, third = ProductImage.objects.filter(product=rb)
        assert all(image.thumbnail.name.endswith(".jpg") for image in (first, second, third))
        assert first.thumbnail.storage.exists(first.thumbnail.name)
    page = owner.get(url).content.decode()
    assert page.count('data-image="') == 3 and "Delete this image?" in page
    assert owner.post(f"{url}images/{third.pk}/move/", {"direction": "first"}).status_code == 302
    assert owner.post(f"{url}images/{first.pk}/move/", {"direction": "down"}).status_code == 302
    with in_tenant(console["tenant"]):
        assert list(ProductImage.objects.filter(product=rb).values_list("pk", "sort_order")) == [
            (third.pk, 0), (second.pk, 1), (first.pk, 2)]
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion has committed
        assert owner.post(f"{url}images/{second.pk}/delete/").status_code == 302
    with in_tenant(console["tenant"]):
        assert list(ProductImage.objects.filter(product=rb).values_list("pk", "sort_order")) == [
            (third.pk, 0), (first.pk, 1)]
        assert not second.image.storage.exists(second.image.name)


def test_one_bad_file_among_several_adds_none(console, in_tenant, media_root):
    owner = sign_in("owner")
    rb = console["rb"]
    fake = SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png")
    refused = owner.post(f"/console/catalog/products/{rb.pk}/images/", {"images": [png("ok.png"), fake]})
    assert refused.status_code == 400
    assert "No image was added." in refused.content.decode()
    assert "notes.png: not a PNG, JPEG or WebP image." in refused.content.decode()
    assert _images(console["tenant"], in_tenant, rb) == []


def test_bulk_upload_by_product_code_applies_a_good_set(console, in_tenant, media_root):
    owner = sign_in("owner")
    with in_tenant(console["tenant"]):
        catalog.product_image_add(actor=None, product=console["rb"], image=png("old.png", (1, 1, 1)))
    done = owner.post("/console/catalog/images/", {"files": [png("rb.png", (2, 2, 2)), png("RB-2.PNG", (3, 3, 3)),
                                                             png("nf.png")]})
    html = done.content.decode()
    assert done.status_code == 200
    assert "3 images added to 2 products." in html and "RB-2.PNG → <code>RB</code>" in html
    with in_tenant(console["tenant"]):
        assert list(ProductImage.objects.filter(product=console["rb"]).values_list("sort_order", flat=True)) == [
            0, 1, 2]
        assert ProductImage.objects.filter(product=console["nf"]).count() == 1
    assert _colours(console["tenant"], in_tenant, console["rb"]) == [(1, 1, 1), (2, 2, 2), (3, 3, 3)]


def test_bulk_upload_from_a_zip(console, in_tenant, media_root):
    owner = sign_in("owner")
    archive = zipped("images.zip", {"photos/NF.png": png("x").read(), "photos/nf-2.png": png("y").read(),
                                    "__MACOSX/photos/._NF.png": b"junk", "photos/": b""})
    done = owner.post("/console/catalog/images/", {"files": [archive]})
    assert "2 images added to 1 products." in done.content.decode()
    assert len(_images(console["tenant"], in_tenant, console["nf"])) == 2


def test_bulk_upload_with_one_bad_file_applies_nothing_and_names_each(console, in_tenant, media_root):
    owner = sign_in("owner")
    files = [png("RB.png"), png("NOPE.png"), SimpleUploadedFile("NF.jpg", b"garbage", content_type="image/jpeg"),
             SimpleUploadedFile("RB.txt", b"hello", content_type="text/plain")]
    refused = owner.post("/console/catalog/images/", {"files": files})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "No image was added: fix these files and upload them again." in html
    assert "NOPE.png: no product with the code NOPE." in html
    assert "NF.jpg: not a PNG, JPEG or WebP image." in html
    assert "RB.txt: not a .jpg, .png, .webp or .gif file." in html
    assert "RB.png:" not in html
    assert _images(console["tenant"], in_tenant, console["rb"]) == []
    assert _images(console["tenant"], in_tenant, console["nf"]) == []


def test_bulk_upload_refuses_zip_bombs_and_broken_zips(console, in_tenant, media_root):
    owner = sign_in("owner")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("RB.png", b"\0" * (600 * 1024 * 1024 // 50))  # 12 MB of zeros: over 10 MB uncompressed
    bomb = SimpleUploadedFile("bomb.zip", buffer.getvalue(), content_type="application/zip")
    assert len(buffer.getvalue()) < 100 * 1024
    refused = owner.post("/console/catalog/images/", {"files": [bomb]})
    assert refused.status_code == 400 and "RB.png: larger than 10 MB." in refused.content.decode()
    broken = owner.post("/console/catalog/images/", {"files": [SimpleUploadedFile("x.zip", b"PK no zip")]})
    assert broken.status_code == 400 and "x.zip: not a readable zip file." in broken.content.decode()
    many = zipped("many.zip", {f"RB-{index}.png": b"x" for index in range(201)})
    too_many = owner.post("/console/catalog/images/", {"files": [many]})
    assert too_many.status_code == 400 and "At most 200 files and 500 MB in one upload." in too_many.content.decode()
    assert _images(console["tenant"], in_tenant, console["rb"]) == []


def test_bulk_upload_service_checks_total_uncompressed_size(console, in_tenant, media_root):
    """The zip directory's sizes are summed before anything is decompressed."""
    import pytest

    from tenant_apps.catalog import services
    from tenant_apps.catalog.errors import CatalogInvalid

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(60):  # 60 x 9 MB = 540 MB uncompressed, a few hundred KB compressed
            archive.writestr(f"RB-{index}.png", b"\0" * (9 * 1024 * 1024))
    with in_tenant(console["tenant"]), pytest.raises(CatalogInvalid) as refused:
        services.product_images_bulk_add(actor=None, files=[SimpleUploadedFile("big.zip", buffer.getvalue())])
    assert refused.value.fields == {"files": ["At most 200 files and 500 MB in one upload."]}


def test_more_files_than_a_request_may_carry_is_a_400(console, in_tenant, media_root):
    """Over DATA_UPLOAD_MAX_NUMBER_FILES (201: 200 images and nothing else) in one request: a 400, nothing saved."""
    refused = sign_in("owner").post("/console/catalog/images/", {"files": [png(f"RB-{i}.png") for i in range(202)]})
    assert refused.status_code == 400
    assert _images(console["tenant"], in_tenant, console["rb"]) == []
