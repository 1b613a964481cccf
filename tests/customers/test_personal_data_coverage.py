"""The personal-data export holds every field of every record of a person's file.

The records and fields are enumerated here from the app registry, on their own, not taken
from the export: every model with a chain of foreign keys to the customer (or a plain
`customer_id`), every concrete field. One row of each is filled in with a value in every
field; the copy the web page hands out, as JSON and as xlsx, must carry each value. A field
or a record type added later without reaching the export fails here — unless it is named,
with a reason, in the export's exclusion lists.
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credfile.accounts.models import Department, User
from credfile.core.sealed import Sealed, sealed_attributes
from credfile.customers.exports import (
    EXCLUDED_FIELDS,
    EXCLUDED_MODELS,
    exported_models,
    personal_data,
)
from credfile.customers.models import Customer, Tag
from credfile.events.models import CustomerEvent
from credfile.limits.models import CustomerGroup
from credfile.ratings.models import ScorecardVersion
from credfile.risk.models import RiskRule
from credfile.surveys.models import Question, Questionnaire, QuestionnaireVersion
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 14)
MOMENT = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)
# Values a field cannot hold in a consistent row; each is still asserted to be exported.
OVERRIDES: dict[str, dict[str, Any]] = {
    "customers.Customer": {"kind": "individual", "credit_code": ""},
    "customers.Address": {"postcode": "100101"},
    # An approved request has a checker and a decision time (a database rule).
    "changes.ChangeRequest": {"status": "approved"},
    # Only a promise to pay has a promised date and amount (a database rule).
    "followup.CollectionAction": {"kind": "promise"},
    # A limit or its request is a customer's or a group's, never both (a database rule).
    "limits.LimitRequest": {"group": None},
    "limits.CreditLimit": {"group": None},
}
EMPTY_BY_RULE = {
    ("customers.Customer", "credit_code"),  # an individual has none
    ("limits.LimitRequest", "group"),
    ("limits.CreditLimit", "group"),
}


def _plain_customer_number(model: type[models.Model]) -> bool:
    try:
        return not model._meta.get_field("customer_id").is_relation
    except FieldDoesNotExist:
        return False


def _targets(model: type[models.Model]) -> set[type[models.Model]]:
    return {
        f.related_model
        for f in model._meta.concrete_fields
        if isinstance(f.related_model, type) and f.related_model is not model
    }


def models_of_a_file() -> list[type[models.Model]]:
    """The file's models, parents before children (so rows can be created in this order)."""
    candidates = [
        m
        for m in apps.get_models()  # auto-created many-to-many tables are not listed
        if m is not Customer and m._meta.label not in EXCLUDED_MODELS
    ]
    ordered: list[type[models.Model]] = [Customer]
    owned = {Customer} | {m for m in candidates if _plain_customer_number(m)}
    while True:
        new = [m for m in candidates if m not in owned and _targets(m) & owned]
        if not new:
            break
        owned |= set(new)
    # Parents first: a model comes once every owned model it points at has come.
    pending = [m for m in candidates if m in owned]
    while pending:
        ready = [m for m in pending if not (_targets(m) & (set(pending) - {m}))]
        assert ready, f"a cycle among {pending}"
        ordered += ready
        pending = [m for m in pending if m not in ready]
    return ordered


def _excluded(model: type[models.Model], name: str) -> bool:
    return f"*.{name}" in EXCLUDED_FIELDS or f"{model._meta.label}.{name}" in EXCLUDED_FIELDS


def expected_fields(model: type[models.Model]) -> list[str]:
    """What a person's copy must show of a model: every concrete and many-to-many field,
    sealed values by their clear name, without the columns left out by rule or by list."""
    sealed = sealed_attributes(model)
    columns = {a for s in sealed for a in (s.enc_attr, s.bidx_attr)}
    names = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in columns
        and not (f.primary_key and not f.is_relation)
        and not (f.name == "customer_id" and not f.is_relation)
    ]
    names += [s.name for s in sealed] + [f.name for f in model._meta.many_to_many]
    return [n for n in names if not _excluded(model, n)]


class Filler:
    """Gives every field of a row a value of its type, distinct where it can be."""

    def __init__(self, personas: Personas) -> None:
        self.personas = personas
        self.rows: dict[type[models.Model], models.Model] = {}

    def user(self, index: int) -> User:
        users = [
            self.personas.account_manager,
            self.personas.department_head,
            self.personas.credit_manager,
            self.personas.colleague,
        ]
        return users[index % len(users)]

    def value(self, model: type[models.Model], field: models.Field[Any, Any], index: int) -> Any:
        label = f"{model._meta.model_name}.{field.name}"
        if field.is_relation:
            target = field.related_model
            if target in self.rows:
                return self.rows[target]
            if target is User:
                return self.user(index)
            if target is Department:
                return self.personas.sales
            if target is ScorecardVersion:
                # The cards are shipped data, not part of a file: a rating points at one.
                return ScorecardVersion.objects.filter(status="published").first()
            if target is RiskRule:
                # So are the risk rules (shipped by a migration): an entry names its rule.
                return RiskRule.objects.first()
            if target is CustomerGroup:
                # A customer group spans several files; the file's membership is its own.
                return CustomerGroup.objects.get_or_create(
                    name="华东控股集团", defaults={"created_by": self.personas.credit_manager}
                )[0]
            if target in {Questionnaire, QuestionnaireVersion, Question}:
                # Questionnaires are company-wide, not part of a file: a response answers one.
                return self.survey_row(target)
            if target is CustomerEvent:
                # An event is a department's, not a file's: the file's invitation is its own.
                return CustomerEvent.objects.get_or_create(
                    title="年度客户答谢会",
                    defaults={
                        "kind": "appreciation",
                        "starts_at": MOMENT,
                        "ends_at": MOMENT + datetime.timedelta(hours=3),
                        "place": "国际会议中心",
                        "capacity": 50,
                        "department": self.personas.sales,
                        "created_by": self.personas.account_manager,
                    },
                )[0]
            pytest.fail(f"{model._meta.label}.{field.name}: no row of {target} to point at")
        if field.name == "customer_id":
            return self.rows[Customer].pk
        if field.choices:
            return field.choices[-1][0]
        if isinstance(field, models.BooleanField):
            return True
        if isinstance(field, models.DateTimeField):
            return MOMENT
        if isinstance(field, models.DateField):
            return DAY
        if isinstance(field, models.DecimalField):
            return Decimal("1234.50")
        if isinstance(field, models.IntegerField):
            return 7
        if isinstance(field, models.UUIDField):
            return uuid.uuid4()
        if isinstance(field, models.GenericIPAddressField):
            return "192.0.2.7"
        if isinstance(field, models.JSONField):
            return [label]
        if isinstance(field, models.EmailField):
            return f"{field.name}@example.com"
        if isinstance(field, models.URLField):
            return "https://example.com/"
        if isinstance(field, models.CharField | models.TextField):
            return label[: field.max_length] if field.max_length else f"{label} — 内容"
        pytest.fail(f"{model._meta.label}.{field.name}: no value for a {type(field).__name__}")

    def survey_row(self, target: Any) -> models.Model:
        questionnaire, _ = Questionnaire.objects.get_or_create(
            name="客户满意度", defaults={"kind": "nps", "created_by": self.personas.department_head}
        )
        version, _ = QuestionnaireVersion.objects.get_or_create(
            questionnaire=questionnaire, number=1, created_by=self.personas.department_head
        )
        question, _ = Question.objects.get_or_create(version=version, position=1, text="推荐吗？")
        rows: dict[Any, models.Model] = {
            Questionnaire: questionnaire,
            QuestionnaireVersion: version,
            Question: question,
        }
        return rows[target]

    def sealed_value(self, attribute: Sealed, index: int) -> Any:
        if attribute.kind is datetime.date:
            return DAY
        if attribute.kind is Decimal:
            return Decimal("98765.43")
        return f"{index}{attribute.name}"[: attribute.max_length or None]

    def fill(self, model: type[models.Model]) -> models.Model:
        overrides = OVERRIDES.get(model._meta.label, {})
        sealed = sealed_attributes(model)
        columns = {a for s in sealed for a in (s.enc_attr, s.bidx_attr)}
        obj = model()
        for index, field in enumerate(model._meta.concrete_fields):
            if field.name in columns or (field.primary_key and not field.is_relation):
                continue
            value = overrides.get(field.name, self.value(model, field, index))
            setattr(obj, field.name, value)
        for index, attribute in enumerate(sealed):
            setattr(obj, attribute.name, self.sealed_value(attribute, index))
        obj.save()
        for field in model._meta.many_to_many:
            target = field.related_model
            assert target is Tag, f"{model._meta.label}.{field.name}: fill {target} here"
            getattr(obj, field.name).set(
                [Tag.objects.create(name="出口"), Tag.objects.create(name="政府项目")]
            )
        self.rows[model] = obj
        return obj


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def expected_row(obj: models.Model) -> dict[str, Any]:
    """Each exported field of the row as the database holds it (sealed values in clear)."""
    model = type(obj)
    obj = model._default_manager.get(pk=obj.pk)
    row: dict[str, Any] = {}
    for name in expected_fields(model):
        value = getattr(obj, name)
        if isinstance(value, models.Manager):
            value = [str(o) for o in value.all()]
        row[name] = _json_value(value)
    return row


@pytest.fixture
def full_file(personas: Personas) -> tuple[Customer, dict[str, dict[str, Any]]]:
    """A person's file with one row of every record type, every field filled in."""
    filler = Filler(personas)
    expected: dict[str, dict[str, Any]] = {}
    for model in models_of_a_file():
        if model is Customer:
            filler.rows[Customer] = filler.fill(Customer)
            Customer.objects.filter(pk=filler.rows[Customer].pk).update(
                department=personas.sales, account_manager=personas.account_manager
            )
        else:
            filler.fill(model)
    for model, obj in filler.rows.items():
        row = expected_row(obj)
        empty = [
            k
            for k, v in row.items()
            if v in (None, "", [], {}) and (model._meta.label, k) not in EMPTY_BY_RULE
        ]
        assert not empty, f"{model._meta.label}: the test left {empty} empty"
        expected[model._meta.label] = row
    customer = Customer.objects.get(pk=filler.rows[Customer].pk)
    return customer, expected


def _find(rows: Iterable[dict[str, Any]], expected: dict[str, Any]) -> list[str]:
    """The fields missing or different in the closest row (none when one row matches)."""
    best: list[str] | None = None
    for row in rows:
        wrong = [k for k, v in expected.items() if k not in row or row[k] != v]
        if best is None or len(wrong) < len(best):
            best = wrong
    return list(expected) if best is None else best


def _json_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for v in data.values() for row in ([v] if isinstance(v, dict) else v)]


def test_the_registry_walk_finds_the_records_of_a_file() -> None:
    labels = {m._meta.label for m in models_of_a_file()}
    # Tags (many-to-many), reviews, a payment's allocations (two steps away) and the
    # history (a plain customer number) are found like the contacts.
    assert {
        "customers.Customer",
        "customers.Contact",
        "reviews.Review",
        "reviews.ReviewSchedule",
        "transactions.PaymentAllocation",
        "history.FileVersion",
        "consent.Consent",
    } <= labels
    assert "tags" in expected_fields(Customer)
    assert {m._meta.label for m in models_of_a_file()} - {"customers.Customer"} == {
        e.model._meta.label for e in exported_models()
    }


def test_the_json_copy_holds_every_field_of_every_record(
    full_file: tuple[Customer, dict[str, dict[str, Any]]], personas: Personas, client_for: Any
) -> None:
    customer, expected = full_file
    response = client_for(personas.account_manager).post(
        reverse("customers:personal-data", args=[customer.pk, "json"])
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    rows = _json_rows(data)
    missing = {label: w for label, row in expected.items() if (w := _find(rows, row))}
    assert not missing, f"not in the copy (model: fields): {missing}"
    assert data["customer"]["tags"] == ["出口", "政府项目"]
    assert data["customer"]["birth_date"] == DAY.isoformat()
    # Nothing sealed leaves as ciphertext or blind index.
    assert not any(k.endswith(("_enc", "_bidx")) for row in rows for k in row)


def test_the_xlsx_copy_holds_every_field_of_every_record(
    full_file: tuple[Customer, dict[str, dict[str, Any]]], personas: Personas, client_for: Any
) -> None:
    customer, expected = full_file
    response = client_for(personas.account_manager).post(
        reverse("customers:personal-data", args=[customer.pk, "xlsx"])
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows: list[dict[str, Any]] = []
    for sheet in book.worksheets:
        header, *body = list(sheet.iter_rows(values_only=True))
        rows += [dict(zip(map(str, header), line, strict=True)) for line in body]
    # A cell holds text, a number or a truth value; lists and JSON are written as JSON.
    cells = {
        label: {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
            for k, v in row.items()
            if v not in (None, "")  # an empty cell reads back as nothing
        }
        for label, row in expected.items()
    }
    missing = {label: w for label, row in cells.items() if (w := _find(rows, row))}
    assert not missing, f"not in the workbook (model: fields): {missing}"


def test_the_copy_takes_one_query_per_record_type(
    full_file: tuple[Customer, dict[str, dict[str, Any]]], django_assert_max_num_queries: Any
) -> None:
    customer, _expected = full_file
    record_types: list[type[models.Model]] = [Customer, *(e.model for e in exported_models())]
    many_to_many = sum(len(m._meta.many_to_many) for m in record_types)
    with django_assert_max_num_queries(1 + len(exported_models()) + many_to_many):
        personal_data(customer)


def test_the_customer_link_of_every_record_names_the_file(
    full_file: tuple[Customer, dict[str, dict[str, Any]]],
) -> None:
    customer, _expected = full_file
    data = personal_data(customer)
    assert data["contacts"][0]["customer"] == str(customer)
    assert timezone.is_aware(datetime.datetime.fromisoformat(data["reviews"][0]["completed_at"]))
