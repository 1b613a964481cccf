"""What an uploaded file is, read from its bytes (never from its name), and whether it is safe
to keep: magic bytes for PDF and images, the package's [Content_Types].xml for xlsx and
docx (with caps against zip bombs), Python's e-mail parser for an .eml message."""

from __future__ import annotations

import email
import email.policy
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EML = "message/rfc822"

# The extensions each detected type may carry.
EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({"pdf"}),
    PNG: frozenset({"png"}),
    JPEG: frozenset({"jpg", "jpeg"}),
    GIF: frozenset({"gif"}),
    WEBP: frozenset({"webp"}),
    XLSX: frozenset({"xlsx"}),
    DOCX: frozenset({"docx"}),
    EML: frozenset({"eml"}),
}
# The extension a stored name gets.
STORED_EXTENSION = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    GIF: "gif",
    WEBP: "webp",
    XLSX: "xlsx",
    DOCX: "docx",
    EML: "eml",
}
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
}
_CONTENT_TYPES_MAX = 1 << 20  # [Content_Types].xml is a few kilobytes
# Small parts may shrink a lot (a short repetitive XML); the ratio counts above this size.
_RATIO_FLOOR = 1 << 20
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str  # of the stored name
    meta: dict[str, Any] = field(default_factory=dict)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def clean_name(name: str) -> str:
    """The uploader's file name, for display only; refused with path parts or control
    characters rather than quietly changed, so nobody is misled about what was kept."""
    if not name or not name.strip():
        raise _refuse(_("The file has no name."))
    if any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in name):
        raise _refuse(_("The file name contains control characters."))
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or name.startswith("."):
        raise _refuse(_("The file name must not contain a path (/, \\ or a leading dot)."))
    if len(name) > 200:
        raise _refuse(_("The file name is longer than 200 characters."))
    if "." not in name.strip(".") or not name.rsplit(".", 1)[1]:
        raise _refuse(_("The file name has no extension (such as .pdf)."))
    return unicodedata.normalize("NFC", name.strip())


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[1].lower()


def _check_zip(data: bytes) -> str:
    """The OOXML type of a zip package, after the caps: member count, total uncompressed size
    and compression ratio, counted while inflating (a header may lie about sizes)."""
    max_members = settings.CREDFILE_DOCUMENT_ZIP_MAX_MEMBERS
    max_total = settings.CREDFILE_DOCUMENT_ZIP_MAX_BYTES
    max_ratio = settings.CREDFILE_DOCUMENT_ZIP_MAX_RATIO
    bomb = _refuse(
        _("The file unpacks to far more than its size (a zip bomb?); it was not stored.")
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > max_members:
            raise _refuse(
                _("The package holds more than %(count)s parts; it was not stored.")
                % {"count": max_members}
            )
        total = 0
        for member in members:
            if member.file_size > max_total or total + member.file_size > max_total:
                raise bomb
            with archive.open(member) as stream:
                inflated = 0
                while chunk := stream.read(64 * 1024):
                    inflated += len(chunk)
                    total += len(chunk)
                    if total > max_total or (
                        inflated > _RATIO_FLOOR
                        and inflated > max_ratio * max(member.compress_size, 1)
                    ):
                        raise bomb
        if total > _RATIO_FLOOR and total > max_ratio * max(len(data), 1):
            raise bomb
        try:
            info = archive.getinfo("[Content_Types].xml")
        except KeyError:
            raise _refuse(
                _("The file is a zip archive but not a Word or Excel document.")
            ) from None
        if info.file_size > _CONTENT_TYPES_MAX:
            raise bomb
        types = archive.read(info).decode("utf-8", "replace")
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError):
        raise _refuse(_("The file is a damaged zip archive.")) from None
    for marker, kind in _OOXML_MAIN.items():
        if marker in types:
            return kind
    raise _refuse(_("The file is a zip archive but not a Word or Excel document."))


def _addresses(message: EmailMessage, name: str) -> list[str]:
    header = message.get(name)
    if header is None:
        return []
    return [str(a) for a in getattr(header, "addresses", ())]


def parse_email(data: bytes) -> dict[str, Any]:
    """Sender, recipients, subject and date of a message, with its attachments; refused
    when the headers cannot be read."""
    unreadable = _refuse(_("The e-mail's headers cannot be read (From, Date or another header)."))
    first = data.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not _HEADER_LINE.match(first):
        raise unreadable
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if any(
            type(d).__name__ in {"MissingHeaderBodySeparatorDefect", "InvalidHeaderDefect"}
            for d in message.defects
        ):
            raise unreadable
        for name in ("From", "To", "Cc", "Subject", "Date"):
            for value in message.get_all(name, []):
                if getattr(value, "defects", ()):
                    raise unreadable
        sender = _addresses(message, "From")
        date = message.get("Date")
        moment = getattr(date, "datetime", None)
        if not sender or moment is None:
            raise unreadable
        attachments = []
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            attachments.append(
                {
                    "name": part.get_filename() or "",
                    "type": part.get_content_type(),
                    "size": len(payload) if isinstance(payload, bytes) else 0,
                }
            )
    except ValidationError:
        raise
    except (ValueError, TypeError, IndexError, LookupError, AttributeError, AssertionError):
        raise unreadable from None
    return {
        "from": sender,
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "subject": str(message.get("Subject", "")),
        "date": moment.isoformat(),
        "attachments": attachments,
    }


def detect(data: bytes) -> Detected:
    """The type of the bytes, or a refusal naming why they are not kept."""
    if data.startswith(b"%PDF-"):
        kind = PDF
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif data.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif data.startswith((b"GIF87a", b"GIF89a")):
        kind = GIF
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = WEBP
    elif data.startswith(b"PK\x03\x04"):
        kind = _check_zip(data)
    elif _HEADER_LINE.match(data.lstrip(b"\r\n").split(b"\n", 1)[0]):
        return Detected(EML, STORED_EXTENSION[EML], parse_email(data))
    else:
        raise _refuse(
            _("This kind of file is not accepted: PDF, PNG, JPEG, GIF, WebP, xlsx, docx or .eml.")
        )
    return Detected(kind, STORED_EXTENSION[kind])


def inspect(data: bytes, name: str) -> tuple[str, Detected]:
    """The cleaned name and the detected content, checked against each other and the size
    limit; any refusal is a ValidationError on the `file` field."""
    cleaned = clean_name(name)
    limit = settings.CREDFILE_DOCUMENT_MAX_BYTES
    if len(data) > limit:
        raise _refuse(
            _("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1_000_000:g}"}
        )
    if not data:
        raise _refuse(_("The file is empty."))
    extension = extension_of(cleaned)
    if extension == "eml" and not data.startswith((b"%PDF-", b"PK\x03\x04")):
        detected = Detected(EML, STORED_EXTENSION[EML], parse_email(data))
    else:
        detected = detect(data)
    if extension not in EXTENSIONS[detected.content_type]:
        raise _refuse(
            _("The file's content is %(kind)s, which does not match its extension .%(ext)s.")
            % {"kind": STORED_EXTENSION[detected.content_type].upper(), "ext": extension}
        )
    return cleaned, detected
