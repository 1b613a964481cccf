"""Small files of each accepted kind, and the bad ones each refusal is about."""

from __future__ import annotations

import datetime
import io
import zipfile
from email.message import EmailMessage

from openpyxl import Workbook

from credfile.accounts.models import User
from credfile.customers.models import Customer
from credfile.documents.models import Document
from credfile.documents.services import document_attach

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
DAY = datetime.date(2026, 11, 3)


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "营业收入"  # type: ignore[index]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb(size: int = 50_000_000) -> bytes:
    """An xlsx-looking package whose one part inflates a thousandfold."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * size)
    return out.getvalue()


def eml() -> bytes:
    message = EmailMessage()
    message["From"] = "王芳 <wang.fang@example.com>"
    message["To"] = "李娜 <li.na@example.com>, zhao.lei@example.com"
    message["Cc"] = "credit@example.com"
    message["Subject"] = "关于付款计划的确认"
    message["Date"] = "Tue, 03 Nov 2026 09:30:00 +0800"
    message.set_content("付款计划见附件。")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="付款计划.pdf")
    return message.as_bytes()


def attach(
    customer: Customer,
    *,
    data: bytes = PDF,
    name: str = "letter.pdf",
    document_type: str = "letter",
    day: datetime.date = DAY,
    actor: User | None = None,
    title: str = "催款函",
) -> Document:
    who = actor or customer.account_manager
    assert who is not None
    return document_attach(
        actor=who,
        customer=customer,
        upload=data,
        name=name,
        document_type=document_type,
        title=title,
        document_date=day,
    )
