"""Uploaded documents: recognised by their content, within the size limit."""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What a document may be, recognised by its first bytes rather than by its name.
DOCUMENT_SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
]


def sniff(head: bytes, data_reader) -> tuple[str, str] | None:
    for signature, content_type, extension in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            if extension == ".docx":
                try:
                    with zipfile.ZipFile(data_reader()) as archive:
                        names = set(archive.namelist())
                except zipfile.BadZipFile:
                    return None
                if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
                    return None
            return content_type, extension
    return None


def read_document(upload, *, limit: int | None = None) -> tuple[bytes, str]:
    """The bytes and content type of a PDF, DOCX, PNG or JPEG upload; anything else is refused."""
    limit = limit or settings.ACCORD_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)}
                ]
            }
        )
    upload.seek(0)
    data = upload.read()
    sniffed = sniff(data[:16], lambda: io.BytesIO(data))
    if sniffed is None:
        raise ValidationError({"file": [_("Only PDF, Word (DOCX), PNG and JPEG files can be attached.")]})
    return data, sniffed[0]
