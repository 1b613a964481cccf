from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.core.models import Currency
from credfile.limits.choices import GroupRelation, OrderClosing, OrderKind


class LimitRequestForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0")
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="CNY")
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LimitDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OpenOrderForm(forms.Form):
    """An order taken or a shipment not yet invoiced, recorded from the file page."""

    prefix = "order"

    reference = forms.CharField(label=_("Reference"), max_length=60)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="CNY")
    kind = forms.ChoiceField(label=_("Order kind"), choices=OrderKind.choices)


class OpenOrderCloseForm(forms.Form):
    closed_as = forms.ChoiceField(label=_("Closed as"), choices=OrderClosing.choices)


class LimitBlockForm(forms.Form):
    blocked = forms.TypedChoiceField(
        choices=[("1", _("Block")), ("0", _("Unblock"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class GroupMemberForm(forms.Form):
    customer = forms.CharField(
        label=_("Customer code"),
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "C2026000123", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("Relation"), choices=GroupRelation.choices)
    is_head = forms.BooleanField(label=_("Head company"), required=False)
