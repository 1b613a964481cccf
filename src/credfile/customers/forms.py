"""Forms of the credit file pages. They parse input; customers.services validates it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import Department, User
from credfile.core.forms import SealedInput, form_for
from credfile.core.masking import mask
from credfile.core.permissions import is_account_manager
from credfile.core.sealed import Sealed
from credfile.customers.choices import (
    LIFECYCLE_STATUS_ERROR,
    LIFECYCLE_STATUSES,
    CustomerCategory,
    CustomerKind,
    CustomerStatus,
    Province,
)
from credfile.customers.models import Address, Contact, Customer
from credfile.customers.selectors import SORTS, CustomerFilters
from credfile.customers.services import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    INDIVIDUAL_FIELDS,
    ORGANIZATION_FIELDS,
)


def _any(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


SORT_LABELS = {
    "-updated": _("Recently updated"),
    "name": _("Name A→Z"),
    "-name": _("Name Z→A"),
    "code": _("Customer code"),
    "-created": _("Newest files"),
    "created": _("Oldest files"),
}


class CustomerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Name, customer code, ID number, credit code or phone"),
                "type": "search",
                "autofocus": True,
            }
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(CustomerKind.choices))
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_any(CustomerCategory.choices)
    )
    province = forms.ChoiceField(label=_("Region"), required=False, choices=_any(Province.choices))
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.all(),
        empty_label=_("All"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(CustomerStatus.choices)
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(k, v) for k, v in SORT_LABELS.items() if k in SORTS],
    )

    def filters(self) -> CustomerFilters:
        """The list's filters as given; a field in error filters nothing (the list and its
        exports read them alike)."""
        data = self.cleaned_data if self.is_valid() else {}
        department = data.get("department")
        return CustomerFilters(
            q=data.get("q", ""),
            kind=data.get("kind", ""),
            category=data.get("category", ""),
            province=data.get("province", ""),
            department=department.pk if department else None,
            status=data.get("status", ""),
        )


CUSTOMER_FORM_FIELDS = (
    "kind",
    "name",
    *INDIVIDUAL_FIELDS,
    *ORGANIZATION_FIELDS,
    "phone",
    "email",
    "website",
    "bank_name",
    "bank_account",
    "category",
    "province",
    "city",
    "profit_class",
    "status",
    "department",
    "account_manager",
    "remarks",
)

# The sealed attributes among them, found from the model so that a new one is not forgotten.
SEALED_FORM_FIELDS = tuple(
    name for name in CUSTOMER_FORM_FIELDS if isinstance(getattr(Customer, name, None), Sealed)
)

_CustomerBase = form_for(
    Customer,
    tuple(f for f in CUSTOMER_FORM_FIELDS if f not in {"department", "account_manager"}),
    name="_CustomerBase",
    required=("kind", "name"),
)


class CustomerForm(_CustomerBase):  # type: ignore[valid-type,misc]
    """The credit file's basic information; individual and organisation fields both present,
    the page shows the set that fits the chosen kind."""

    department = forms.ModelChoiceField(
        label=_("Owning department"), queryset=Department.objects.all()
    )
    account_manager = forms.ModelChoiceField(
        label=_("Account manager"), queryset=User.objects.none()
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    confirm_similar_name = forms.BooleanField(
        label=_("This is a different customer from the similar names listed"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        user: User,
        customer: Customer | None = None,
        revealed: bool = False,
        swap: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sealed: list[str] = []
        if customer is not None:
            self._seal(customer, revealed=revealed, swap=swap)
        self.fields["kind"].widget = forms.RadioSelect(choices=CustomerKind.choices)
        self._offer_statuses(customer)
        staff = User.objects.filter(is_active=True, department__isnull=False)
        if is_account_manager(user):
            staff = staff.filter(pk=user.pk)
            self.fields["department"].queryset = Department.objects.filter(  # type: ignore[misc]
                id=user.department_id  # the role check above guarantees a department
            )
        elif user.department_id:
            staff = staff.filter(department_id=user.department_id)
            self.fields["department"].queryset = Department.objects.filter(pk=user.department_id)
        if customer is not None and customer.account_manager_id:
            # The file's own manager stays a choice even once inactive or moved, so the
            # form saved unchanged keeps them instead of refusing the field as required.
            staff = User.objects.filter(
                Q(pk__in=staff.values("pk")) | Q(pk=customer.account_manager_id)
            )
        self.fields["account_manager"].queryset = staff.order_by("username")
        self.fields["remarks"].widget.attrs["rows"] = 2
        self.fields["business_scope"].widget.attrs["rows"] = 2

    def _offer_statuses(self, customer: Customer | None) -> None:
        """Settled and archived are reached on the life cycle page only; a file that is
        settled already keeps its status as a choice, so it shows and saves unchanged."""
        field = self.fields["status"]
        current = customer.status if customer is not None else None
        field.choices = [
            (value, label)
            for value, label in field.choices
            if value not in LIFECYCLE_STATUSES or value == current
        ]
        field.error_messages["invalid_choice"] = LIFECYCLE_STATUS_ERROR

    def _seal(self, customer: Customer, *, revealed: bool, swap: bool) -> None:
        """Show the file's sealed values masked, as its page does; in clear once revealed.

        A sealed field the user replaced in this submission keeps what the user typed."""
        for name in SEALED_FORM_FIELDS:
            value = getattr(customer, name)
            if value in (None, "") or self.add_prefix(name) in self.data:
                continue
            field = self.fields[name]
            field.widget = SealedInput(
                field.widget,
                mask=mask(name, value),
                clear=value if revealed else None,
                swap=swap,
            )
            # The clear value must not reach the page through the form's initial data.
            self.initial.pop(name, None)
            self.sealed.append(name)

    def sealed_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.sealed]

    def service_fields(self) -> dict[str, Any]:
        """The fields the page submitted. A field it did not send (a masked value kept as it
        is, an input the page left out) is not a change; only a field sent empty clears."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in CUSTOMER_FORM_FIELDS and self.add_prefix(name) in self.data
        }

    def tag_names(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.replace("，", ",").split(",") if t.strip()]


ContactForm = form_for(Contact, CONTACT_FIELDS, name="ContactForm", required=("name",))
AddressForm = form_for(Address, ADDRESS_FIELDS, name="AddressForm", required=("line",))
