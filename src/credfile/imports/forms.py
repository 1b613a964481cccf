from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.imports.columns import KINDS
from credfile.imports.parsing import MAX_FILE_BYTES

KIND_LABELS = {
    "contacts": _("Contacts"),
    "contracts": _("Contracts"),
    "customers": _("Customers"),
    "invoices": _("Invoices"),
    "payments": _("Payments"),
    "statements": _("Financial statements"),
    "open_orders": _("Open orders"),
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=[(k, KIND_LABELS[k]) for k in KINDS]
    )
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (UTF-8 or GB18030) or xlsx, one sheet, values only.")
    )
    department = forms.CharField(
        label=_("Department code"),
        required=False,
        max_length=20,
        help_text=_("For rows that name no department; your own if empty."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES >> 20}
            )
        return upload
