"""factory_boy factories producing valid records (check digits included)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from stdnum.cn import ric, uscc

from credfile.accounts.models import Department, User
from credfile.core.normalize import name_key
from credfile.customers.models import Customer


def resident_id(n: int, *, birth: str = "19850312", region: str = "110105") -> str:
    body = f"{region}{birth}{n % 1000:03d}"
    # calc_check_digit expects a full 18-character number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def credit_code(n: int) -> str:
    body = f"91110000{n:09d}"
    return body + uscc.calc_check_digit(body)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"业务{n}部")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "account_manager"
    department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    """An organisation by default; use IndividualFactory for a person."""

    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"T{n:08d}")
    kind = "organization"
    name = factory.Sequence(lambda n: f"测试星辰{n}号科技有限公司")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    credit_code = factory.Sequence(credit_code)
    legal_representative = "王伟"
    registered_capital = Decimal("5000000.00")
    established_on = datetime.date(2012, 5, 1)
    industry = "C"
    province = "11"
    city = "北京市"
    department = factory.SubFactory(DepartmentFactory)
    account_manager = factory.SubFactory(
        UserFactory, department=factory.SelfAttribute("..department")
    )


class IndividualFactory(CustomerFactory):
    kind = "individual"
    name = factory.Sequence(lambda n: f"张{n}")
    credit_code = ""
    legal_representative = ""
    registered_capital = None
    established_on = None
    industry = ""
    id_number = factory.Sequence(resident_id)
    gender = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    birth_date = datetime.date(1985, 3, 12)
