"""Importing customers: the checks of the form, set-based, all or nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from credfile.audit.models import AuditEvent
from credfile.audit.verification import chain_check
from credfile.customers.models import Customer
from credfile.history.models import FileVersion
from credfile.imports import parsing
from credfile.imports.services import import_file, split_region
from tests.conftest import Personas
from tests.factories import IndividualFactory, resident_id
from tests.imports.helpers import HEADERS, csv_bytes, customer_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def _import(personas: Personas, data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
    return import_file(actor=personas.account_manager, kind="customers", data=data, **kwargs)  # type: ignore[arg-type]


def _errors(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.row, e.column, e.message) for e in result.errors]


def test_it_opens_a_file_per_row_with_region_industry_and_identity(personas: Personas) -> None:
    result = _import(personas, csv_bytes(customer_rows(2)))
    assert result.imported and result.created == 2 and not result.errors
    person = Customer.objects.get(external_code="ERP00001")
    assert person.kind == "individual" and person.name == "张1"
    assert person.id_number == resident_id(1)
    assert person.birth_date is not None and person.birth_date.isoformat() == "1985-03-12"
    assert (person.province, person.city) == ("33", "杭州市")
    assert person.phone == "+8613800138000"
    assert (
        person.department == personas.sales and person.account_manager == personas.account_manager
    )
    org = Customer.objects.get(external_code="ERP00002")
    assert (org.kind, org.industry, org.province, org.city) == ("organization", "C", "11", "北京市")
    assert person.code.startswith("C") and person.code != org.code
    # The ID number is stored sealed: only its ciphertext and blind index are in the row.
    assert resident_id(1) not in person.id_number_enc


def test_each_created_file_has_its_audit_event_and_first_version_and_the_import_its_own(
    personas: Personas,
) -> None:
    data = csv_bytes(customer_rows(3))
    result = _import(personas, data)
    ids = set(Customer.objects.values_list("pk", flat=True))
    created = AuditEvent.objects.filter(object_type="customers.customer", action="create")
    assert {e.customer_id for e in created} == ids
    assert all(e.actor == personas.account_manager for e in created)
    run = AuditEvent.objects.get(object_type="imports.import")
    assert run.after == {
        "import": "customers",
        "sha256": result.sha256,
        "rows": 3,
        "created": 3,
        "unchanged": 0,
    }
    assert FileVersion.objects.filter(customer_id__in=ids, operation="create").count() == 3
    # The events written in bulk are links of the one hash chain.
    assert chain_check().ok


def test_reimporting_the_same_file_creates_nothing_new(personas: Personas) -> None:
    data = csv_bytes(customer_rows(4))
    _import(personas, data)
    again = _import(personas, data)
    assert again.imported and again.created == 0 and again.unchanged == 4
    assert Customer.objects.count() == 4


def test_a_file_with_one_bad_row_imports_nothing_and_names_row_and_column(
    personas: Personas,
) -> None:
    rows = customer_rows(3)
    rows[1][4] = "91110000000000002X"  # wrong check character
    rows[2][1] = "robot"
    result = _import(personas, csv_bytes(rows))
    assert not result.imported and Customer.objects.count() == 0
    assert (
        3,
        "credit_code",
        "The check character of this unified social credit code is wrong.",
    ) in _errors(result)
    assert (4, "kind", "Write individual or organization (个人 or 单位).") in _errors(result)


def test_errors_are_in_the_users_language_with_the_files_own_headers(personas: Personas) -> None:
    with translation.override("zh-hans"):
        headers = [
            "外部编码",
            "客户类型",
            "名称",
            "居民身份证号码",
            "统一社会信用代码",
            "电话",
            "地区",
            "行业",
        ]
        rows = customer_rows(1)
        rows[0][6] = "火星"
        result = _import(personas, csv_bytes(rows, headers))
    assert _errors(result) == [(2, "地区", "地区不是以省份开头。")]


def test_a_missing_required_column_is_named(personas: Personas) -> None:
    result = _import(personas, csv_bytes([["张三"]], ["name"]))
    assert (
        1,
        "external_code",
        "The required column external_code (external code) is missing.",
    ) in _errors(result)
    assert (1, "kind", "The required column kind (customer kind) is missing.") in _errors(result)


def test_a_duplicate_of_a_file_the_importer_may_not_view_is_traced_as_a_lookup(
    personas: Personas,
) -> None:
    hidden = IndividualFactory(
        id_number=resident_id(1), department=personas.other, account_manager=personas.outsider
    )
    result = _import(personas, csv_bytes(customer_rows(1)))
    assert _errors(result) == [(2, "id_number", "A credit file with this number already exists.")]
    lookup = AuditEvent.objects.get(action="lookup")
    assert (lookup.actor, lookup.customer_id) == (personas.account_manager, hidden.pk)
    assert lookup.after == {"check": "duplicate", "field": "id_number"}


def test_duplicates_in_the_file_and_on_file_are_refused(personas: Personas) -> None:
    IndividualFactory(
        id_number=resident_id(1),
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    rows = customer_rows(3)
    rows[2][3], rows[2][1], rows[2][4], rows[2][7] = resident_id(3), "个人", "", ""
    rows.append([*rows[2]])
    rows[3][0] = "ERP09999"
    result = _import(personas, csv_bytes(rows))
    errors = _errors(result)
    assert (2, "id_number", "A credit file with this number already exists.") in errors
    assert (5, "id_number", "The same number is on row 4 already.") in errors
    rows[3][0] = rows[2][0]
    errors = _errors(_import(personas, csv_bytes(rows)))
    assert (5, "external_code", "The same code is on row 4 already.") in errors


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_reads_csv_in_utf8_with_or_without_bom_and_gb18030(
    personas: Personas, encoding: str
) -> None:
    result = _import(personas, csv_bytes(customer_rows(2), encoding=encoding))
    assert result.created == 2
    assert Customer.objects.get(external_code="ERP00002").name == "杭州第2制造有限公司"


def test_it_reads_xlsx_with_chinese_headers(personas: Personas) -> None:
    headers = [
        "外部编码",
        "客户类型",
        "名称",
        "居民身份证号码",
        "统一社会信用代码",
        "电话",
        "地区",
        "行业",
    ]
    result = _import(personas, xlsx_bytes(customer_rows(2), headers))  # type: ignore[arg-type]
    assert result.created == 2 and not result.errors


def test_xlsx_with_formulas_or_several_sheets_is_refused(personas: Personas) -> None:
    rows: list[list[object]] = [["E1", "个人", '=CONCAT("张","三")', "", "", "", "", ""]]
    assert _errors(_import(personas, xlsx_bytes(rows))) == [
        (0, "", "Cell C2 holds a formula; save the values only.")
    ]
    assert _errors(_import(personas, xlsx_bytes(customer_rows(1), sheets=2))) == [  # type: ignore[arg-type]
        (0, "", "The xlsx file has 2 sheets; put the rows on one sheet.")
    ]


def test_a_zip_that_unpacks_past_the_limit_is_refused(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "MAX_UNPACKED_BYTES", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", "0" * 100_000)
    assert _errors(_import(personas, out.getvalue())) == [
        (0, "", "The xlsx file unpacks to more data than allowed.")
    ]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(personas: Personas) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert _errors(_import(personas, png)) == [
        (0, "", "The file is neither CSV (UTF-8 or GB18030) nor xlsx.")
    ]


def test_dry_run_checks_and_writes_nothing(personas: Personas) -> None:
    before = AuditEvent.objects.count()
    result = _import(personas, csv_bytes(customer_rows(2)), dry_run=True)
    assert not result.errors and not result.imported and result.rows == 2
    assert Customer.objects.count() == 0 and AuditEvent.objects.count() == before


def test_an_account_manager_imports_only_into_their_own_department(personas: Personas) -> None:
    rows = customer_rows(1)
    result = _import(personas, csv_bytes([[*r, "EXPORT"] for r in rows], [*HEADERS, "department"]))
    assert _errors(result) == [(2, "department", "You can only file customers in your department.")]
    refused = _import(personas, csv_bytes(rows), department_code="EXPORT")
    assert refused.errors and Customer.objects.count() == 0


def test_a_role_that_opens_no_files_may_not_import(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        import_file(actor=personas.auditor, kind="customers", data=csv_bytes(customer_rows(1)))


def test_the_department_head_files_rows_in_their_department(personas: Personas) -> None:
    result = import_file(
        actor=personas.department_head, kind="customers", data=csv_bytes(customer_rows(1))
    )
    assert result.created == 1
    assert Customer.objects.get().account_manager == personas.department_head


def test_a_large_file_takes_a_bounded_number_of_queries(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    data = csv_bytes(customer_rows(300))
    with django_assert_max_num_queries(60):  # type: ignore[operator]
        result = _import(personas, data)
    assert result.created == 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浙江省杭州市西湖区", ("33", "杭州市")),
        ("浙江杭州", ("33", "杭州")),
        ("北京市朝阳区", ("11", "北京市")),
        ("内蒙古自治区呼和浩特市", ("15", "呼和浩特市")),
        ("新疆维吾尔自治区伊犁哈萨克自治州", ("65", "伊犁哈萨克自治州")),
        ("火星", None),
    ],
)
def test_a_region_splits_into_province_and_city(text: str, expected: object) -> None:
    assert split_region(text) == expected
