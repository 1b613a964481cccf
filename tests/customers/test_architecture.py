"""The customers app knows the file page's sections only through its registry: it imports
none of the apps that register them, and every section they own is registered."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import credfile.customers
from credfile.changes.registry import TARGETS
from credfile.customers.sections import record_kind, sections

APPS = ("financials", "transactions", "interactions", "consent", "ratings")
CUSTOMERS = Path(credfile.customers.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from credfile import financials` names the app in the alias.
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_of_customers_imports_an_app_that_registers_a_section() -> None:
    offending = [
        f"{path.relative_to(CUSTOMERS)}: {name}"
        for path in sorted(CUSTOMERS.rglob("*.py"))
        for name in sorted(_imports(path))
        if any(name == f"credfile.{app}" or name.startswith(f"credfile.{app}.") for app in APPS)
    ]
    assert not offending, offending


def test_the_check_would_see_an_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from credfile import financials\n    import credfile.consent.models\n",
        encoding="utf-8",
    )
    assert {"credfile.financials", "credfile.consent.models"} <= _imports(module)


def test_every_section_of_the_file_page_is_registered_in_page_order() -> None:
    assert [s.slug for s in sections()] == [
        "basic",
        "contacts",
        "financials",
        "transactions",
        "services",
        "complaints",
        "surveys",
        "events",
        "notes",
        "documents",
        "consents",
        "ratings",
        "limits",
        "risk",
        "reviews",
    ]


@pytest.mark.parametrize(
    ("kind", "section"),
    [
        ("contact", "contacts"),
        ("individual_financial", "financials"),
        ("payment", "transactions"),
        ("note", "notes"),
        ("consent", "consents"),
    ],
)
def test_each_app_registers_its_add_forms(kind: str, section: str) -> None:
    found = record_kind(kind)
    assert found is not None
    assert found[0].slug == section


def test_each_app_registers_its_records_under_change_control() -> None:
    assert {
        "customers.customer",
        "customers.contact",
        "customers.address",
        "financials.individualfinancial",
        "financials.financialstatement",
        "transactions.contract",
        "transactions.invoice",
        "transactions.payment",
        "interactions.servicerecord",
        "interactions.note",
    } <= set(TARGETS)


def test_change_control_imports_none_of_the_apps_it_changes() -> None:
    import credfile.changes

    changes = Path(credfile.changes.__file__).parent
    names = _imports(changes / "registry.py") | _imports(changes / "services.py")
    assert not [n for n in names if any(n.startswith(f"credfile.{a}") for a in APPS)]


def test_a_section_the_policy_does_not_know_is_refused() -> None:
    from credfile.customers.sections import Section, register_section

    with pytest.raises(ValueError):
        register_section(Section(slug="guarantees", title="x", template="x.html", order=99))
    assert "guarantees" not in [s.slug for s in sections()]
