"""The customer credit file (客户信用档案): identity, classification, contacts, addresses."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import Department
from credfile.core.identifiers import format_phone
from credfile.core.models import TimeStampedModel, currency_field, money_field
from credfile.core.sealed import Sealed
from credfile.customers.choices import (
    AddressKind,
    ContactRole,
    CustomerCategory,
    CustomerKind,
    CustomerStatus,
    Gender,
    Industry,
    ProfitClass,
    Province,
)

NAME_MAX_LENGTH = 100


class Tag(models.Model):
    """A free label for grouping customers (e.g. 出口, 政府项目)."""

    name = models.CharField(_("tag"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


# What the customer list tests: its filters (customers.selectors.CustomerFilters), department
# last, then what a search by name part or code compares.
LIST_FILTERS = ["kind", "category", "province", "status", "department"]
LIST_TESTED = [*LIST_FILTERS, "name_key", "code"]


class Customer(TimeStampedModel):
    """One customer's credit file: an individual or an organisation."""

    code = models.CharField(_("customer code"), max_length=20, unique=True)
    # The customer's code in the system it was imported from (an ERP), so a re-import
    # finds the file it created before instead of opening a second one.
    external_code = models.CharField(_("external code"), max_length=50, blank=True)
    # A stable identity bound into every sealed value of the row (see core.sealed).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("customer kind"), max_length=12, choices=CustomerKind.choices)
    # Long enough for any registered company name, short enough to read in a list.
    name = models.CharField(
        _("name"),
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "A name can have at most %(limit_value)d characters (it has %(show_value)d)."
            )
        },
    )
    # Normalised name for duplicate detection and search (see core.normalize.name_key).
    name_key = models.CharField(max_length=200, db_index=True, editable=False)

    # Individual
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    # Sealed (encrypted) values; exact search through the keyed blind indexes.
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_bidx = models.CharField(max_length=40, blank=True, editable=False)
    id_number = Sealed(_("resident ID number"), index="ric", max_length=18)
    passport_number_enc = models.TextField(blank=True, editable=False)
    passport_number_bidx = models.CharField(max_length=40, blank=True, editable=False)
    passport_number = Sealed(_("passport number"), index="passport", max_length=17)
    # The birth date is sealed too: with the masked ID number it would reveal the whole ID.
    birth_date_enc = models.TextField(blank=True, editable=False)
    birth_date = Sealed(_("birth date"), kind=datetime.date)

    # Organisation
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    registered_capital = money_field(_("registered capital"), null=True, blank=True)
    registered_capital_currency = currency_field()
    business_scope = models.TextField(_("business scope"), blank=True)
    established_on = models.DateField(_("establishment date"), null=True, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)

    # Both
    phone_enc = models.TextField(blank=True, editable=False)
    phone_bidx = models.CharField(max_length=40, blank=True, editable=False)
    phone = Sealed(_("phone"), index="phone", max_length=20)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_enc = models.TextField(blank=True, editable=False)
    bank_account = Sealed(_("bank account number"), max_length=34)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)

    # Classification
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=CustomerCategory.choices,
        default=CustomerCategory.REGULAR,
    )
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    profit_class = models.CharField(
        _("profit contribution"), max_length=1, choices=ProfitClass.choices, blank=True
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.PROTECT,
        related_name="managed_customers",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    remarks = models.TextField(_("remarks"), blank=True)
    # Optimistic concurrency: every successful change increments it.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_bidx"],
                condition=~Q(id_number_bidx=""),
                name="customer_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["external_code"],
                condition=~Q(external_code=""),
                name="customer_unique_external_code",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="customer_unique_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(kind=CustomerKind.INDIVIDUAL, credit_code="")
                | Q(kind=CustomerKind.ORGANIZATION, id_number_enc="", passport_number_enc=""),
                name="customer_identity_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(registered_capital__isnull=True) | Q(registered_capital__gte=0),
                name="customer_registered_capital_not_negative",
            ),
        ]
        indexes = [
            # The list in each sort order, read in index order (no sort per page). The columns
            # the list tests ride along, so a filtered or searched page tests them in the
            # index and reads a row only once it matches; at worst one pass over one index.
            # No index starts with a filter column: SQLite (which keeps no statistics unless
            # analysed) would take it and sort every match rather than walk the sort order.
            models.Index(fields=["name", "id", *LIST_TESTED], name="customer_list_name_idx"),
            models.Index(fields=["code", "id", *LIST_TESTED[:-1]], name="customer_list_code_idx"),
            models.Index(
                fields=["created_at", "id", *LIST_TESTED], name="customer_list_created_idx"
            ),
            models.Index(
                fields=["updated_at", "id", *LIST_TESTED], name="customer_list_updated_idx"
            ),
            # A department's list (its staff's scope, or the department filter), likewise.
            *(
                models.Index(
                    fields=[
                        "department",
                        sort,
                        "id",
                        *(f for f in LIST_TESTED if f not in {"department", sort}),
                    ],
                    name=f"customer_dept_list_{name}_idx",
                )
                for sort, name in (
                    ("name", "name"),
                    ("code", "code"),
                    ("created_at", "created"),
                    ("updated_at", "updated"),
                )
            ),
            # The list's count, for any filters and search, in this index alone.
            models.Index(
                fields=["department", "status", "kind", "category", "province", "name_key", "code"],
                name="customer_list_count_idx",
            ),
            models.Index(fields=["phone_bidx"], name="customer_phone_idx"),
            models.Index(fields=["passport_number_bidx"], name="customer_passport_idx"),
            # An account manager's own files (their overdue list, review queue, complaints),
            # found in the index: without it SQLite reads every file of the department to
            # test its manager (32,000 rows for 4,000 files at 100,000 customers).
            models.Index(
                fields=["department", "account_manager"], name="customer_dept_manager_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_individual(self) -> bool:
        return self.kind == CustomerKind.INDIVIDUAL

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)


class Contact(TimeStampedModel):
    """A person to talk to about the customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(
        _("role"), max_length=30, choices=ContactRole.choices, default=ContactRole.OTHER
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mobile_enc = models.TextField(blank=True, editable=False)
    mobile_bidx = models.CharField(max_length=40, blank=True, editable=False)
    mobile = Sealed(_("mobile"), index="phone", max_length=20)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_bidx = models.CharField(max_length=40, blank=True, editable=False)
    phone = Sealed(_("phone"), index="phone")
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    # Who last checked the contact's details with the customer (marked verified).
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["mobile_bidx"], name="contact_mobile_idx"),
            models.Index(fields=["phone_bidx"], name="contact_phone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mobile_enc="") | ~Q(phone_enc="") | ~Q(email=""),
                name="contact_has_a_channel",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def mobile_display(self) -> str:
        return format_phone(self.mobile)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)


class Address(TimeStampedModel):
    """A postal address of the customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    kind = models.CharField(
        _("address type"), max_length=12, choices=AddressKind.choices, default=AddressKind.OFFICE
    )
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    line = models.CharField(_("street address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=r"^[0-9]{6}$"),
                name="address_postcode_six_digits",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.get_province_display(), self.city, self.line) if p)
