"""The migration that shortens the name column stops on names that would not fit."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import DataError, transaction

from credfile.customers.models import NAME_MAX_LENGTH, Customer
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("credfile.customers.migrations.0004_customer_name_max_length")


def test_it_names_the_files_whose_names_are_too_long(personas: Personas) -> None:
    fits = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    long = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    # Written as before the limit; PostgreSQL's column refuses it now, SQLite's does not.
    try:
        with transaction.atomic():
            Customer.objects.filter(pk=long.pk).update(name="长" * (NAME_MAX_LENGTH + 1))
    except DataError:
        pytest.skip("the database refuses a name longer than the column")

    with pytest.raises(RuntimeError, match=long.code) as refused:
        migration.refuse_longer_names(apps, None)
    assert fits.code not in str(refused.value)


def test_it_lets_names_that_fit_pass(personas: Personas) -> None:
    CustomerFactory(
        name="长" * NAME_MAX_LENGTH,
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    migration.refuse_longer_names(apps, None)
