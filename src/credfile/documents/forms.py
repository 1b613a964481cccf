from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.core.forms import DateInput
from credfile.documents.choices import DocumentType


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    document_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    title = forms.CharField(label=_("Document title"), max_length=200)
    document_date = forms.DateField(
        label=_("Document date"), widget=DateInput(), initial=timezone.localdate
    )
