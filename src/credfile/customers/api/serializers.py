"""Input and output shapes of the customer API. Inputs only check types; rules live in services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credfile.accounts.models import Department, User
from credfile.core.api_fields import SensitiveField
from credfile.core.fields import IdSerializerField
from credfile.core.models import Currency
from credfile.core.permissions import Section
from credfile.customers.choices import (
    LIFECYCLE_STATUS_ERROR,
    SETTABLE_STATUSES,
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
from credfile.customers.models import NAME_MAX_LENGTH, Address, Contact, Customer
from credfile.customers.selectors import DEFAULT_SORT, SORTS


def money(**kwargs: Any) -> serializers.DecimalField:
    """A money amount in, as a decimal string or number; two decimal places at most."""
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


def text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    """An optional text field; blank clears it."""
    kwargs.setdefault("required", False)
    return serializers.CharField(allow_blank=True, max_length=max_length, **kwargs)


def choice(choices: Any, *, blank: bool = False, **kwargs: Any) -> serializers.ChoiceField:
    kwargs.setdefault("required", False)
    return serializers.ChoiceField(choices=choices, allow_blank=blank, **kwargs)


# --- customers ---------------------------------------------------------------------------------


class CustomerOutput(serializers.ModelSerializer[Customer]):
    """Sealed values (ID and passport numbers, birth date, phone, bank account) come masked
    unless the request reveals them (`?reveal=true`, audited)."""

    id_number = SensitiveField()
    passport_number = SensitiveField()
    birth_date = SensitiveField()
    phone = SensitiveField()
    bank_account = SensitiveField()
    # Plain strings: an empty value is allowed, which the e-mail and URI formats are not.
    email = serializers.CharField(read_only=True)
    # Optional choices: "" means not given, so the schema must allow it.
    gender = serializers.ChoiceField(Gender.choices, allow_blank=True, read_only=True)
    industry = serializers.ChoiceField(Industry.choices, allow_blank=True, read_only=True)
    profit_class = serializers.ChoiceField(ProfitClass.choices, allow_blank=True, read_only=True)
    province = serializers.ChoiceField(Province.choices, allow_blank=True, read_only=True)
    website = serializers.CharField(read_only=True)
    tags = serializers.ManyRelatedField(
        child_relation=serializers.SlugRelatedField(slug_field="name", read_only=True),
        read_only=True,
    )

    sections = serializers.SerializerMethodField(
        help_text=_(
            "The sections of the file you may see. Without `basic` (a usage grant for other "
            "sections) only the file's id, code, kind, name, department and account manager "
            "are given."
        )
    )

    def get_sections(self, customer: Customer) -> list[str]:
        return sorted(self._sections(customer))

    def _sections(self, customer: Customer) -> frozenset[str]:
        access = getattr(customer, "access", None)
        if access is not None:
            return frozenset(access.sections)
        if getattr(customer, "sees_basic", True):
            return frozenset(str(s) for s in Section)
        return frozenset()

    def to_representation(self, instance: Customer) -> dict[str, Any]:
        data = super().to_representation(instance)
        if Section.BASIC not in self._sections(instance):
            data = {k: v for k, v in data.items() if k in IDENTIFICATION_FIELDS}
        return data

    class Meta:
        model = Customer
        fields = (
            "id",
            "code",
            "kind",
            "name",
            "id_number",
            "passport_number",
            "gender",
            "birth_date",
            "credit_code",
            "legal_representative",
            "registered_capital",
            "registered_capital_currency",
            "business_scope",
            "established_on",
            "industry",
            "phone",
            "email",
            "website",
            "bank_name",
            "bank_account",
            "category",
            "province",
            "city",
            "profit_class",
            "tags",
            "department",
            "account_manager",
            "status",
            "remarks",
            "version",
            "created_at",
            "updated_at",
            "sections",
        )
        read_only_fields = fields


# What identifies a file to anyone who may use some part of it (a usage grant names the file).
IDENTIFICATION_FIELDS = frozenset(
    {"id", "code", "kind", "name", "department", "account_manager", "sections"}
)


class CustomerInput(serializers.Serializer[Any]):
    """A new credit file. Department and account manager default to the caller's."""

    kind = serializers.ChoiceField(choices=CustomerKind.choices)
    name = serializers.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "max_length": _("A name can have at most {max_length} characters."),
        },
    )
    # Individual
    id_number = text(help_text=_("Resident ID number; birth date and gender follow from it."))
    passport_number = text()
    gender = choice(Gender.choices, blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    # Organisation
    credit_code = text(help_text=_("Unified social credit code (18 characters)."))
    legal_representative = text(100)
    registered_capital = money(required=False, allow_null=True)
    registered_capital_currency = choice(Currency.choices)
    business_scope = text()
    established_on = serializers.DateField(required=False, allow_null=True)
    industry = choice(Industry.choices, blank=True)
    # Both
    phone = text()
    email = serializers.EmailField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    bank_name = text(100)
    bank_account = text(help_text=_("Bank card or account number (stored encrypted)."))
    category = choice(CustomerCategory.choices)
    province = choice(Province.choices, blank=True)
    city = text(50)
    profit_class = choice(ProfitClass.choices, blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, help_text=_("Tag names.")
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False
    )
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    status = choice(
        SETTABLE_STATUSES,
        error_messages={"invalid_choice": LIFECYCLE_STATUS_ERROR},
        help_text=_("Settled and archived are set on the file's life cycle only."),
    )
    remarks = text()
    confirm_similar_name = serializers.BooleanField(
        required=False,
        help_text=_("Set after a 409 about a similar name to confirm it is a different customer."),
    )


class CustomerUpdateInput(CustomerInput):
    """Changed fields only."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The version you loaded; the change is refused with 409 if it moved on."),
    )


class CustomerListQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Part of the name, the customer code, or an exact ID number, unified social "
            "credit code or phone number."
        ),
    )
    kind = choice(CustomerKind.choices)
    category = choice(CustomerCategory.choices)
    province = choice(Province.choices)
    department = IdSerializerField(required=False)
    status = choice(CustomerStatus.choices)
    ordering = serializers.ChoiceField(choices=list(SORTS), default=DEFAULT_SORT)


# --- contacts and addresses -------------------------------------------------------------------


class ContactInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    role = choice(ContactRole.choices)
    title = text(100)
    mobile = text()
    phone = text()
    email = serializers.EmailField(required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False)
    verified_on = serializers.DateField(required=False, allow_null=True)


class ContactOutput(serializers.ModelSerializer[Contact]):
    mobile = SensitiveField()
    phone = SensitiveField()
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = (
            "id",
            "customer",
            "name",
            "role",
            "title",
            "mobile",
            "phone",
            "email",
            "is_primary",
            "verified_on",
            "verified_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class AddressInput(serializers.Serializer[Any]):
    kind = choice(AddressKind.choices)
    province = choice(Province.choices, blank=True)
    city = text(50)
    line = serializers.CharField(max_length=200)
    postcode = text()


class AddressOutput(serializers.ModelSerializer[Address]):
    # Optional: "" means not given, so the schema must allow it.
    province = serializers.ChoiceField(Province.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Address
        fields = (
            "id",
            "customer",
            "kind",
            "province",
            "city",
            "line",
            "postcode",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields
