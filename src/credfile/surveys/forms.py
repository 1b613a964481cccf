"""Forms of satisfaction surveys (parsing only; the services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credfile.core.forms import DateTimeInput
from credfile.events.models import CustomerEvent
from credfile.interactions.choices import Channel
from credfile.surveys.choices import SCALES, Kind, Period, QuestionKind
from credfile.surveys.models import Question, Questionnaire, QuestionnaireVersion
from credfile.surveys.services import answer_field


class ResponseForm(forms.Form):
    """The answers to one version's questions: `answer_<question id>` each, with when and how
    they were given. Required answers and the scale are the service's to check, so the
    messages are the same on the page and in the API."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    answered_at = forms.DateTimeField(
        label=_("Answered at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty for now."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        version: QuestionnaireVersion,
        answering: bool = False,
        events: list[CustomerEvent] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.version = version
        if events:
            # The events the customer was invited to (newest first); the service checks it.
            self.fields["event"] = forms.TypedChoiceField(
                label=_("Event"),
                choices=[("", _("Not about an event")), *((e.pk, str(e)) for e in events)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("The customer event this survey asks about, if any."),
            )
        low, high = SCALES[version.questionnaire.kind]
        self.questions: list[Question] = list(version.questions.order_by("position"))
        for question in self.questions:
            name = answer_field(question)
            if question.kind == QuestionKind.SCORE:
                field: forms.Field = forms.CharField(
                    label=question.text,
                    required=False,
                    widget=forms.RadioSelect(
                        choices=[(str(n), str(n)) for n in range(low, high + 1)]
                    ),
                )
            else:
                field = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=None,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            field.question = question  # type: ignore[attr-defined]  # shown with its kind
            self.fields[name] = field
        if answering:
            self.fields["channel"].required = False

    def answer_fields(self) -> list[Any]:
        return [self[answer_field(q)] for q in self.questions]

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(answer_field(q), "") for q in self.questions}

    def scale(self) -> tuple[int, int]:
        return SCALES[self.version.questionnaire.kind]


class QuestionnaireForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    kind = forms.ChoiceField(label=pgettext_lazy("survey", "Kind"), choices=Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), required=False, max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind of answer"), choices=QuestionKind.choices, initial=QuestionKind.SCORE
    )
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)


# Blank rows at the end of the list are left out; a blank row between two questions is an
# error (the service names it).
QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True, max_num=30)


def question_items(formset: Any) -> list[dict[str, Any]]:
    """The questions of a valid formset, in order, without trailing blank or deleted rows."""
    items = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", {}) or {}
        if not data or data.get("DELETE"):
            continue
        items.append(
            {
                "text": data.get("text", ""),
                "kind": data.get("kind") or QuestionKind.SCORE,
                "required": bool(data.get("required")),
            }
        )
    while items and not items[-1]["text"].strip():
        items.pop()
    return items


class ScoreFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("survey", "Kind"), choices=Kind.choices, required=False
    )
    period = forms.ChoiceField(
        label=pgettext_lazy("survey", "Period"), choices=Period.choices, required=False
    )
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, data: Any = None, *, departments: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All my departments")), *departments]


class AttendeeSendForm(forms.Form):
    """Send one questionnaire to every attendee of an event who has not had it yet."""

    def __init__(
        self, data: Any = None, *, questionnaires: list[Questionnaire], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["questionnaire"] = forms.TypedChoiceField(
            label=_("Questionnaire"),
            choices=[(q.pk, q.name) for q in questionnaires],
            coerce=int,
        )
        self.fields["channel"] = forms.ChoiceField(
            label=_("Channel"), choices=Channel.choices, initial=Channel.EMAIL
        )
