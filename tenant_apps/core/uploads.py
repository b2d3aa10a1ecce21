"""Every user upload goes through here: checked by its bytes, stored under a name we choose, served safely.

A file's name and the browser's content type are the client's word and prove nothing: a "licence.png" may be
an HTML page that runs script in the owner's session once served from the brand's origin. So:

- `image_checked` accepts PNG, JPEG and WebP (and a GIF, which becomes a PNG) recognised by their magic numbers
  and decoded by Pillow, within a size and a pixel limit (decompression bombs), and re-encodes them: whatever
  trailed or hid in the file (HTML after the image data, a polyglot's second life, metadata) is not copied.
- `document_checked` accepts a PDF (by its header; stored as it came, only ever served as an attachment) or an
  image as above.
- SVG and HTML are refused with a message that says so: an SVG is a document that can carry script.
- The result is a `CheckedFile` named `<random>.<extension of the detected type>`: never the client's name.

The form field (`UploadField`) and the serializer field (`UploadSerializerField`) put the check in `clean`, so a
bad file is a field error (400) before any service runs; services call the same functions again (free for a file
already checked) so that no caller can store an unchecked file.

`media_response` serves a stored file: the content type comes from our whitelist by the stored name's extension
(anything else is application/octet-stream), always with `X-Content-Type-Options: nosniff`, and everything that
is not a whitelisted image is an attachment. Files stored under older, unchecked names are served by the same
rule, so they cannot come out as text/html either.
"""

from __future__ import annotations

import io
import os
import uuid
import warnings
from pathlib import PurePath

from django import forms
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from rest_framework import serializers

MB = 1024 * 1024
IMAGE_MAX_BYTES = 10 * MB
DOCUMENT_MAX_BYTES = 10 * MB
LOGO_MAX_BYTES = 1 * MB
# Decoded pixels (width x height) an upload may have: a 50-megapixel photo is fine; a small file that unpacks to
# gigabytes of pixels (a decompression bomb) is refused before it is decoded.
IMAGE_MAX_PIXELS = 50_000_000

# What we serve inline, by the stored name's extension. Everything else: application/octet-stream, attachment.
INLINE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}

# Pillow format -> (format we write, extension we store).
_REENCODE = {"PNG": ("PNG", ".png"), "JPEG": ("JPEG", ".jpg"), "WEBP": ("WEBP", ".webp"), "GIF": ("PNG", ".png")}


class UploadRefused(Exception):
    """A file that may not be stored; `message` is for the user (translated), `code` for machines."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class CheckedFile(ContentFile):
    """The bytes to store (re-encoded for images) under a name we chose, with the type we detected."""

    def __init__(self, content: bytes, *, extension: str, content_type: str):
        super().__init__(content, name=f"{uuid.uuid4().hex}{extension}")
        self.content_type = content_type


def _sniff(head: bytes) -> str:
    """The kind of file these first bytes start: png, jpeg, webp, gif, pdf, markup or unknown."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"%PDF-"):
        return "pdf"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if text.startswith(b"<") or b"<svg" in head.lower() or b"<html" in head.lower() or b"<script" in head.lower():
        return "markup"
    return "unknown"


def _read(upload, *, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRefused(_("The file is larger than %(mb)s MB.") % {"mb": max_bytes // MB}, code="too_large")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise UploadRefused(_("The file is larger than %(mb)s MB.") % {"mb": max_bytes // MB}, code="too_large")
    if not data:
        raise UploadRefused(_("The file is empty."), code="empty")
    return data


def _markup_refused() -> UploadRefused:
    return UploadRefused(_("SVG and HTML files are not accepted: upload a PNG, JPEG or WebP image."), code="markup")


def _image_reencoded(data: bytes, *, max_pixels: int) -> CheckedFile:
    from PIL import Image, ImageOps, UnidentifiedImageError

    not_image = UploadRefused(_("Upload a PNG, JPEG or WebP image."), code="not_image")
    too_big = UploadRefused(_("The image is too large: at most %(mp)s megapixels.")
                            % {"mp": max_pixels // 1_000_000}, code="too_many_pixels")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=tuple(_REENCODE))
            if picture.width * picture.height > max_pixels:  # read from the header, nothing decoded yet
                raise too_big
            fmt, extension = _REENCODE[picture.format]
            picture.load()
            picture = ImageOps.exif_transpose(picture)  # the orientation survives, the metadata does not
            if fmt == "JPEG":
                picture = picture.convert("RGB")
            else:
                alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
                picture = picture.convert("RGBA" if alpha else "RGB")
            buffer = io.BytesIO()
            picture.save(buffer, fmt, **({} if fmt == "PNG" else {"quality": 90}))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, KeyError):
        raise not_image from None
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return CheckedFile(buffer.getvalue(), extension=extension, content_type=content_type)


def image_checked(upload, *, max_bytes: int = IMAGE_MAX_BYTES, max_pixels: int = IMAGE_MAX_PIXELS) -> CheckedFile:
    """A PNG, JPEG or WebP (a GIF becomes a PNG), re-encoded, under a random name; UploadRefused otherwise."""
    if isinstance(upload, CheckedFile):
        return upload
    data = _read(upload, max_bytes=max_bytes)
    kind = _sniff(data[:1024])
    if kind == "markup":
        raise _markup_refused()
    if kind not in ("png", "jpeg", "webp", "gif"):
        raise UploadRefused(_("Upload a PNG, JPEG or WebP image."), code="not_image")
    return _image_reencoded(data, max_pixels=max_pixels)


def document_checked(upload, *, max_bytes: int = DOCUMENT_MAX_BYTES,
                     max_pixels: int = IMAGE_MAX_PIXELS) -> CheckedFile:
    """A PDF (kept as it came: it is only ever served as an attachment) or an image as `image_checked`."""
    if isinstance(upload, CheckedFile):
        return upload
    data = _read(upload, max_bytes=max_bytes)
    kind = _sniff(data[:1024])
    if kind == "pdf":
        return CheckedFile(data, extension=".pdf", content_type="application/pdf")
    if kind == "markup":
        raise UploadRefused(_("SVG and HTML files are not accepted: upload a PDF, JPEG or PNG file."), code="markup")
    if kind not in ("png", "jpeg", "webp", "gif"):
        raise UploadRefused(_("Upload a PDF, JPEG or PNG file."), code="not_document")
    return _image_reencoded(data, max_pixels=max_pixels)


CHECKERS = {"image": image_checked, "document": document_checked}


class UploadField(forms.FileField):
    """A form field whose cleaned value is a `CheckedFile` (kind "image" or "document"), or a field error."""

    def __init__(self, *, kind: str, max_bytes: int, **kwargs):
        self.kind, self.max_bytes = kind, max_bytes
        super().__init__(**kwargs)
        self.widget.attrs.setdefault(
            "accept", "image/png,image/jpeg,image/webp" + (",application/pdf" if kind == "document" else ""))

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return upload
        try:
            return CHECKERS[self.kind](upload, max_bytes=self.max_bytes)
        except UploadRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None


class UploadSerializerField(serializers.FileField):
    """The API's counterpart of `UploadField`: the validated value is a `CheckedFile`, or a 400 field error."""

    def __init__(self, *, kind: str, max_bytes: int, **kwargs):
        self.kind, self.max_bytes = kind, max_bytes
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            return CHECKERS[self.kind](upload, max_bytes=self.max_bytes)
        except UploadRefused as refused:
            raise serializers.ValidationError(refused.message, code=refused.code) from None


def stored_bytes(storage, folder: str = "") -> int:
    """The bytes of every file under `folder` of `storage` (a file system: one walk; another storage: through
    its listing). A folder that does not exist holds 0."""
    try:
        root = storage.path(folder)
    except NotImplementedError:
        root = None
    if root is not None:
        total = 0
        for base, _folders, files in os.walk(root):
            for name in files:
                try:
                    total += os.stat(os.path.join(base, name), follow_symlinks=False).st_size
                except OSError:  # removed meanwhile
                    continue
        return total
    if folder and not storage.exists(folder):
        return 0
    folders, files = storage.listdir(folder)
    return (sum(storage.size(f"{folder}/{name}" if folder else name) for name in files)
            + sum(stored_bytes(storage, f"{folder}/{name}" if folder else name) for name in folders))


def media_response(file, *, name: str, attachment: bool = False) -> FileResponse:
    """A stored file as a response: whitelisted image types inline (unless `attachment`), everything else
    application/octet-stream as an attachment; nosniff always."""
    extension = PurePath(name).suffix.lower()
    content_type = INLINE_TYPES.get(extension)
    if content_type is None:
        content_type, attachment = "application/octet-stream", True
    response = FileResponse(file, content_type=content_type, as_attachment=attachment,
                            filename=PurePath(name).name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
