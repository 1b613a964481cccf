"""adddepartment, adduser and addcustomer: the service checks, reported per field."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from credfile.accounts.models import Department, User
from credfile.core.commands import command_language, validation_message
from credfile.customers.models import Customer
from tests.conftest import Personas
from tests.factories import credit_code, resident_id

pytestmark = pytest.mark.django_db

STRONG = "correct-horse-battery"


def run(*args: Any, stdin: str | None = None, **options: Any) -> str:
    out = io.StringIO()
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def failure(*args: Any, stdin: str | None = None, **options: Any) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run(*args, stdin=stdin, **options)
    assert exc.value.returncode != 0
    return exc.value


# --- language and messages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"CREDFILE_LANGUAGE": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "zh_CN.GB18030", "LANG": "en_US.UTF-8"}, "zh-hans"),
        ({"LANG": "de_DE.UTF-8"}, "zh-hans"),
        ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "zh-hans"),
        ({}, "zh-hans"),
    ],
)
def test_language_follows_the_environment(environ: dict[str, str], language: str) -> None:
    with override_settings(LANGUAGE_CODE="zh-hans"):
        assert command_language(environ) == language


def test_a_validation_error_becomes_one_line_per_field() -> None:
    error = ValidationError(
        {"id_number": ["Wrong."], "__all__": ["Whole form."], "phone": ["Bad.", "Worse."]}
    )
    assert validation_message(error).splitlines() == [
        "id_number: Wrong.",
        "Whole form.",
        "phone: Bad.",
        "phone: Worse.",
    ]
    assert validation_message(ValidationError("Plain.")) == "Plain."


def test_messages_are_translated_for_a_chinese_shell(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDFILE_LANGUAGE")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    error = failure(
        "addcustomer",
        kind="individual",
        name="张三",
        id_number="110105194912310021",
        actor=personas.account_manager.username,
    )
    assert str(error).startswith("id_number: ")
    assert "check digit" not in str(error)


# --- adddepartment -------------------------------------------------------------------------


def test_adddepartment_creates_a_department() -> None:
    output = run("adddepartment", "sales1", "销售一部")
    department = Department.objects.get(code="SALES1")
    assert department.name == "销售一部"
    assert "SALES1" in output


def test_adddepartment_refuses_a_code_in_use(personas: Personas) -> None:
    error = failure("adddepartment", "sales", "另一个部门")
    assert str(error).startswith("code: ")
    assert Department.objects.filter(code="SALES").get().name == "销售一部"


# --- adduser -------------------------------------------------------------------------------


def test_adduser_reads_the_password_from_standard_input(personas: Personas) -> None:
    output = run(
        "adduser",
        "wu.qiang",
        role="account_manager",
        department="sales",
        display_name="吴强",
        email="wu.qiang@example.com",
        stdin=f"{STRONG}\nignored\n",
    )
    user = User.objects.get(username="wu.qiang")
    assert (user.role, user.department, user.display_name) == (
        "account_manager",
        personas.sales,
        "吴强",
    )
    assert user.check_password(STRONG)
    assert "wu.qiang" in output


def test_adduser_without_a_department_for_a_credit_manager(personas: Personas) -> None:
    run("adduser", "xu.credit", role="credit_manager", stdin=STRONG + "\n")
    assert User.objects.get(username="xu.credit").department is None


@pytest.mark.parametrize(
    ("options", "stdin", "field"),
    [
        ({"role": "boss", "department": "SALES"}, STRONG, "role"),
        ({"role": "account_manager", "department": "NOWHERE"}, STRONG, "department"),
        ({"role": "account_manager"}, STRONG, "department"),
        ({"role": "account_manager", "department": "SALES"}, "short", "password"),
        ({"role": "account_manager", "department": "SALES"}, "1234567890123", "password"),
        ({"role": "account_manager", "department": "SALES"}, "", "password"),
    ],
)
def test_adduser_names_the_field_in_error(
    personas: Personas, options: dict[str, str], stdin: str, field: str
) -> None:
    users = User.objects.count()
    error = failure("adduser", "new.person", stdin=stdin + "\n", **options)
    assert str(error).startswith(f"{field}: "), str(error)
    assert User.objects.count() == users


def test_adduser_refuses_a_username_in_use(personas: Personas) -> None:
    error = failure(
        "adduser",
        personas.account_manager.username,
        role="account_manager",
        department="SALES",
        stdin=STRONG,
    )
    assert str(error).startswith("username: ")


# --- addcustomer ---------------------------------------------------------------------------


def test_addcustomer_opens_a_file_and_prints_its_code(personas: Personas) -> None:
    output = run(
        "addcustomer",
        kind="organization",
        name="北京星辰科技有限公司",
        credit_code=credit_code(7),
        phone="010 6512 3456",
        actor=personas.account_manager.username,
    )
    customer = Customer.objects.get()
    assert output.strip() == customer.code
    assert customer.account_manager == personas.account_manager
    assert customer.department == personas.sales
    assert customer.phone == "+861065123456"


def test_addcustomer_individual_with_passport(personas: Personas) -> None:
    number = resident_id(12, birth="19800101")
    run(
        "addcustomer",
        kind="individual",
        name="张伟",
        id_number=number,
        passport="e12345678",
        actor=personas.department_head.username,
    )
    customer = Customer.objects.get()
    assert (customer.id_number, customer.passport_number) == (number, "E12345678")
    assert customer.gender == "F"  # order number 012 is even


def test_addcustomer_wrong_check_digit_names_id_number_and_saves_nothing(
    personas: Personas,
) -> None:
    error = failure(
        "addcustomer",
        kind="individual",
        name="张三",
        id_number="110105194912310021",
        actor=personas.account_manager.username,
    )
    assert str(error) == "id_number: The check digit of this ID number is wrong."
    assert not Customer.objects.exists()


def test_addcustomer_reports_every_bad_field(personas: Personas) -> None:
    error = failure(
        "addcustomer",
        kind="organization",
        name="北京星辰科技有限公司",
        credit_code="91110000600037341A",
        phone="12345",
        actor=personas.account_manager.username,
    )
    fields = {line.split(":")[0] for line in str(error).splitlines()}
    assert fields == {"credit_code", "phone"}


def test_addcustomer_needs_an_existing_actor(personas: Personas) -> None:
    error = failure("addcustomer", kind="individual", name="张三", actor="nobody")
    assert "--as" in str(error) and "nobody" in str(error)


def test_addcustomer_refused_to_a_role_that_may_not_open_files(personas: Personas) -> None:
    error = failure(
        "addcustomer", kind="individual", name="张三", actor=personas.credit_manager.username
    )
    assert str(error)
    assert not Customer.objects.exists()


def test_addcustomer_asks_to_confirm_a_similar_name(personas: Personas) -> None:
    actor = personas.account_manager.username
    run("addcustomer", kind="organization", name="北京星辰科技有限公司", actor=actor)
    error = failure(
        "addcustomer", kind="organization", name="北京星辰科技（有限）责任公司", actor=actor
    )
    assert str(error).startswith("name: ")
    assert "--confirm-similar-name" in str(error)
    assert Customer.objects.count() == 1
    run(
        "addcustomer",
        kind="organization",
        name="北京星辰科技有限责任公司",
        actor=actor,
        confirm_similar_name=True,
    )
    assert Customer.objects.count() == 2


def test_addcustomer_duplicate_credit_code(personas: Personas) -> None:
    actor = personas.account_manager.username
    run(
        "addcustomer",
        kind="organization",
        name="北京星辰科技有限公司",
        credit_code=credit_code(9),
        actor=actor,
    )
    error = failure(
        "addcustomer",
        kind="organization",
        name="上海月亮贸易有限公司",
        credit_code=credit_code(9),
        actor=actor,
    )
    assert str(error).startswith("credit_code: ")
