"""Reading an uploaded table: CSV (UTF-8 with or without BOM, or GB18030) or one xlsx sheet.

A file is refused before any row is read when it is too large, is neither format, or (xlsx)
holds formulas, several sheets or more uncompressed data than the limit: a formula's value
is whatever the last program that saved the file computed, and a small zip can unpack to
gigabytes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, in the user's language."""


@dataclass
class Table:
    headers: list[str]
    # (row number as the user sees it in the file, values by column position)
    rows: list[tuple[int, list[str]]]


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRefused(_("The file is neither CSV (UTF-8 or GB18030) nor xlsx.")) from None


def _csv(data: bytes) -> Table:
    if b"\x00" in data:
        raise FileRefused(_("The file is neither CSV (UTF-8 or GB18030) nor xlsx."))
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    except csv.Error:
        raise FileRefused(_("The file is neither CSV (UTF-8 or GB18030) nor xlsx.")) from None
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise FileRefused(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    except csv.Error:
        raise FileRefused(_("The file is neither CSV (UTF-8 or GB18030) nor xlsx.")) from None
    return Table([h.strip() for h in headers], rows)


def _cell_text(value: object) -> str:
    import datetime

    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(_("The file is neither CSV (UTF-8 or GB18030) nor xlsx.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(_("The xlsx file unpacks to more data than allowed."))
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a damaged or foreign zip
        raise FileRefused(_("The file is neither CSV (UTF-8 or GB18030) nor xlsx.")) from None
    try:
        if len(book.worksheets) != 1:
            raise FileRefused(
                _("The xlsx file has %(count)d sheets; put the rows on one sheet.")
                % {"count": len(book.worksheets)}
            )
        sheet = book.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = []
            for cell in cells:
                if getattr(cell, "data_type", "") == "f":
                    raise FileRefused(
                        _("Cell %(cell)s holds a formula; save the values only.")
                        % {"cell": cell.coordinate}
                    )
                values.append(_cell_text(cell.value))
            if headers is None:
                headers = values
                continue
            if not any(values):
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise FileRefused(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    finally:
        book.close()
    if headers is None:
        raise FileRefused(_("The file is empty."))
    return Table([h.strip() for h in headers], rows)


def read_table(data: bytes) -> Table:
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES >> 20})
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(data)
    return _csv(data)
