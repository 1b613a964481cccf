"""`credfile import`: the service's outcome on the command line, in the shell's language."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from credfile.customers.models import Customer
from tests.conftest import Personas
from tests.imports.helpers import csv_bytes, customer_rows

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_imports_and_reimports_a_file(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(customer_rows(3)))
    out = _run("customers", str(path), "--as", personas.account_manager.username)
    assert out.startswith("3 created, 0 imported before (SHA-256 ")
    assert _run("customers", str(path), "--as", "li.na").startswith("0 created, 3 imported before")
    assert Customer.objects.count() == 3


def test_dry_run_writes_nothing(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(customer_rows(2)))
    out = _run("customers", str(path), "--as", "li.na", "--dry-run")
    assert "2 rows checked: 2 new, 0 imported before. Nothing was written (dry run)." in out
    assert Customer.objects.count() == 0


def test_every_error_is_listed_by_row_and_column_in_chinese(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDFILE_LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    rows = customer_rows(2)
    rows[0][6] = "火星"
    rows[1][7] = "Z"
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError) as exc:
        _run("customers", str(path), "--as", "li.na")
    assert str(exc.value).splitlines() == [
        "第 2 行，region：地区不是以省份开头。",
        "第 3 行，industry：请填写 GB/T 4754 门类字母（A–T）或其名称。",
        "共 2 个问题；未导入任何内容。",
    ]
    assert Customer.objects.count() == 0


def test_another_department_is_refused_for_an_account_manager(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(customer_rows(1)))
    with pytest.raises(CommandError) as exc:
        _run("customers", str(path), "--as", "li.na", "--department", "EXPORT")
    assert "Row 2, department: You can only file customers in your department." in str(exc.value)
