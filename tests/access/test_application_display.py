"""The decider sees which file an application is about: its name, owning department and a
link; an applicant without access sees only the code they typed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from credfile.access.models import UsageApplication
from credfile.access.services import application_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(personas: Personas) -> UsageApplication:
    customer = CustomerFactory(
        name="北京星辰科技有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    today = timezone.localdate()
    return application_create(
        actor=personas.outsider,
        customer=customer,
        sections=["basic"],
        purpose="核实付款记录",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
    )


def test_the_executive_sees_name_department_and_link_in_the_list_and_the_application(
    personas: Personas, client_for, application: UsageApplication
) -> None:
    executive = client_for(personas.executive)
    link = reverse("customers:detail", args=[application.customer_id])

    listed = executive.get(reverse("access:list"), {"tab": "decide"}).content.decode()
    detail = executive.get(reverse("access:detail", args=[application.pk])).content.decode()

    for page in (listed, detail):
        assert "北京星辰科技有限公司" in page
        assert "销售一部" in page.split("<main", 1)[1]
        assert f'href="{link}"' in page
        assert application.customer.code in page
    assert "Owning department" in detail


def test_the_applicant_sees_only_the_code_until_access_is_granted(
    personas: Personas, client_for, application: UsageApplication
) -> None:
    applicant = client_for(personas.outsider)
    link = reverse("customers:detail", args=[application.customer_id])

    for url in (reverse("access:list"), reverse("access:detail", args=[application.pk])):
        page = applicant.get(url).content.decode()
        main = page.split("<main", 1)[1]
        assert application.customer.code in main
        assert "北京星辰科技有限公司" not in main
        assert "销售一部" not in main
        assert f'href="{link}"' not in main


def test_the_list_reads_names_in_a_fixed_number_of_queries(
    personas: Personas, client_for, application: UsageApplication, django_assert_max_num_queries
) -> None:
    executive = client_for(personas.executive)
    executive.get(reverse("access:list"))
    for n in range(5):
        customer = CustomerFactory(department=personas.other, account_manager=personas.outsider)
        today = timezone.localdate()
        application_create(
            actor=personas.account_manager,
            customer=customer,
            sections=["basic"],
            purpose=f"用途{n}",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=3),
        )
    with django_assert_max_num_queries(12):
        page = executive.get(reverse("access:list"), {"tab": "decide"})
    assert page.content.decode().count("application-customer") == 6
