"""Building import files in each format the importer reads."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.factories import credit_code, resident_id

HEADERS = [
    "external_code",
    "kind",
    "name",
    "id_number",
    "credit_code",
    "phone",
    "region",
    "industry",
]


def customer_rows(count: int, *, start: int = 1) -> list[list[str]]:
    rows = []
    for n in range(start, start + count):
        if n % 2:
            rows.append(
                [
                    f"ERP{n:05d}",
                    "个人",
                    f"张{n}",
                    resident_id(n),
                    "",
                    "13800138000",
                    "浙江省杭州市西湖区",
                    "",
                ]
            )
        else:
            rows.append(
                [
                    f"ERP{n:05d}",
                    "单位",
                    f"杭州第{n}制造有限公司",
                    "",
                    credit_code(n),
                    "",
                    "北京市朝阳区",
                    "制造业",
                ]
            )
    return rows


def csv_bytes(
    rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], headers: list[str] = HEADERS, *, sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"Sheet{n + 1}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
