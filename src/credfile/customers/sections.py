"""The sections of the file page, registered by the apps that own them.

A domain app (financials, transactions, …) keeps its records' forms, templates and page data
itself and tells the file page about them with `register_section`, called from its
`AppConfig.ready` — as NetBox plugins register their panels. The customers app knows only
this registry, never the apps, so a new section needs no change here.

Who may open a section, and who may change the file, stays the policy's answer
(`credfile.core.permissions`): the registry says what a section shows, not who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models

from credfile.accounts.models import User
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer

# The context of a section's template: (user, customer, file access) -> extra context.
SectionContext = Callable[[User, Customer, Any], dict[str, Any]]


@dataclass(frozen=True)
class RecordKind:
    """An 'add a record' form of a section: how the form is built and which service saves it.

    `form(data, customer=…, prefix=…)` builds the form; `create(actor=…, customer=…,
    fields=…)` is the app's create service, given the form's cleaned input.
    """

    slug: str
    title: Any  # a lazy translation: "Add a contact"
    form: Callable[..., forms.Form]
    create: Callable[..., Any]
    # Whether the form is offered for this file (an individual's financials differ).
    offered: Callable[[Customer], bool] = lambda customer: True


@dataclass(frozen=True)
class Section:
    """One tab of the file page."""

    slug: str  # a `core.permissions.Section` value: the policy's unit of access
    title: Any  # a lazy translation
    template: str
    order: int
    context: SectionContext | None = None
    records: tuple[RecordKind, ...] = ()
    # Sealed attributes the section shows, shown in clear by its (audited) reveal button.
    reveal_fields: tuple[str, ...] = ()
    # The records counted on the tab, by a model with a `customer` foreign key.
    counted: type[models.Model] | None = None
    # Context of the file's header that comes from this section (e.g. open receivables),
    # given only to whoever sees the section.
    header: SectionContext | None = None


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace, on a reload) a section of the file page. Its slug must be one of
    the policy's sections, so that who may open it has an answer there."""
    Policy(section.slug)  # ValueError for a section the policy does not know
    _SECTIONS[section.slug] = section


def sections() -> list[Section]:
    """Every registered section, in page order."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.slug))


def section_get(slug: str) -> Section | None:
    return _SECTIONS.get(slug)


def record_kind(slug: str) -> tuple[Section, RecordKind] | None:
    """The section and 'add' form of a record kind, by its slug."""
    for section in _SECTIONS.values():
        for kind in section.records:
            if kind.slug == slug:
                return section, kind
    return None
