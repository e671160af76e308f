"""Documents applicants upload: checked by what they contain, never by their name.

A PDF must start with the PDF signature; anything else must be a JPEG, PNG or WebP picture
that Pillow can decode. Pictures are re-encoded without their metadata, because a phone
photo of a passport carries the GPS position where it was taken.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from hromada.volunteers.models import ApplicationDocument

MAX_BYTES = ApplicationDocument.MAX_BYTES
MAX_FILES = 5
MAX_PIXELS = 40_000_000  # a 40-megapixel scan is plenty; more is a decompression bomb
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass
class CheckedDocument:
    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _too_large(name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s is larger than %(size)s.") % {"name": name, "size": filesizeformat(MAX_BYTES)},
        code="too_large",
    )


def _not_a_document(name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s is not a PDF or a picture (JPEG, PNG, WebP).") % {"name": name},
        code="type",
    )


def _clean_image(data: bytes, name: str) -> tuple[str, bytes]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_TYPES:
                    raise _not_a_document(name)
                if image.width * image.height > MAX_PIXELS:
                    raise _not_a_document(name)
                image.load()
                fmt = image.format
                upright = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                options: dict[str, Any] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
                # Saved afresh: EXIF, XMP and comments (GPS, camera serial) are left behind.
                upright.save(out, format=fmt, **options)
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise _not_a_document(name) from None
    return IMAGE_TYPES[fmt], out.getvalue()


def check_document(upload: Any) -> CheckedDocument:
    """Read one uploaded file and return it checked, or raise ValidationError."""
    name = str(getattr(upload, "name", "") or "document")[:200]
    if (getattr(upload, "size", 0) or 0) > MAX_BYTES:
        raise _too_large(name)
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large(name)
    if data.startswith(b"%PDF-"):
        return CheckedDocument(name, "application/pdf", data)
    content_type, cleaned = _clean_image(data, name)
    return CheckedDocument(name, content_type, cleaned)


class SizeLimitUploadHandler(FileUploadHandler):
    """Skip any uploaded file past MAX_BYTES while it streams in, so that a 2 GB upload is
    never written to disk; the skipped names are kept on the request for the form to report.

    Must come first in ``request.upload_handlers`` (see views.apply).
    """

    ATTR = "_hromada_too_large_files"

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        if request is not None and not hasattr(request, self.ATTR):
            setattr(request, self.ATTR, [])

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            getattr(self.request, self.ATTR).append(self.file_name or "document")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    @classmethod
    def skipped(cls, request: HttpRequest) -> list[str]:
        return list(getattr(request, cls.ATTR, []))


def too_large_errors(names: list[str]) -> list[ValidationError]:
    return [_too_large(name) for name in names]
