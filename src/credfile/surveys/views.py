"""Survey pages: the questionnaires, their editing, recording a response for a customer, the
scores with their trend; and recording from a file's own surveys section."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import Department, User
from credfile.core.forms import apply_service_errors
from credfile.core.permissions import (
    Action,
    Section,
    can_manage_questionnaires,
    can_see_surveys,
    customer_scope,
    event_survey_send_scope,
    survey_score_scope,
)
from credfile.customers.models import Customer
from credfile.customers.selectors import customer_get
from credfile.events.models import CustomerEvent
from credfile.events.selectors import event_get
from credfile.events.views import render_event_page
from credfile.surveys.choices import Kind, Period, ResponseStatus
from credfile.surveys.forms import (
    AttendeeSendForm,
    QuestionFormSet,
    QuestionnaireForm,
    ResponseForm,
    ScoreFilterForm,
    question_items,
)
from credfile.surveys.models import Questionnaire, SurveyResponse
from credfile.surveys.selectors import (
    ScoreFilters,
    file_event_choices,
    period_label,
    questionnaire_get,
    questionnaire_list,
    response_get,
    score_series,
    score_total,
    usable_questionnaires,
    version_with_questions,
)
from credfile.surveys.services import (
    questionnaire_create,
    questionnaire_update,
    questions_set,
    survey_response_answer,
    survey_response_record,
    survey_send,
    survey_send_to_attendees,
)

# The scores page looks back this far by default.
SCORE_MONTHS = 12


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _surveys_user(request: HttpRequest) -> User:
    user = _user(request)
    # A 404, as for a file outside one's scope: the pages do not exist for them.
    if not can_see_surveys(user):
        raise Http404
    return user


# --- questionnaires ------------------------------------------------------------------------------


@never_cache
@login_required
def questionnaire_list_page(request: HttpRequest) -> HttpResponse:
    user = _surveys_user(request)
    context = {
        "questionnaires": list(questionnaire_list().order_by("-is_active", "name")),
        "may_manage": can_manage_questionnaires(user),
    }
    return render(request, "surveys/list.html", context)


def _editor(
    request: HttpRequest,
    questionnaire: Questionnaire | None,
    form: QuestionnaireForm,
    formset: Any,
    *,
    status: int = 200,
    error: ValidationError | None = None,
) -> HttpResponse:
    question_errors: list[str] = []
    if error is not None:
        # The questions' problems go above the questions, the rest next to their fields.
        found = dict(error.message_dict) if hasattr(error, "error_dict") else {}
        question_errors = found.pop("questions", [])
        rest = ValidationError(found) if found else None
        if rest is not None or not hasattr(error, "error_dict"):
            apply_service_errors(form, rest or error)
    version = version_with_questions(questionnaire) if questionnaire is not None else None
    context = {
        "questionnaire": questionnaire,
        "version": version,
        "versions": list(questionnaire.versions.order_by("-number")) if questionnaire else [],
        "form": form,
        "formset": formset,
        "answered": bool(version and version.responses.exists()),
        "question_errors": question_errors,
    }
    return render(request, "surveys/edit.html", context, status=status)


def _initial_questions(questionnaire: Questionnaire | None) -> list[dict[str, Any]]:
    if questionnaire is None:
        return []
    version = version_with_questions(questionnaire)
    return [
        {"text": q.text, "kind": q.kind, "required": q.required} for q in version.questions.all()
    ]


@never_cache
@login_required
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    user = _surveys_user(request)
    if not can_manage_questionnaires(user):
        raise Http404
    if request.method != "POST":
        return _editor(request, None, QuestionnaireForm(), QuestionFormSet(prefix="q"))
    form = QuestionnaireForm(request.POST)
    formset = QuestionFormSet(request.POST, prefix="q")
    if not (form.is_valid() and formset.is_valid()):
        return _editor(request, None, form, formset, status=422)
    try:
        created = questionnaire_create(
            actor=user, fields=dict(form.cleaned_data), questions=question_items(formset)
        )
    except ValidationError as exc:
        return _editor(request, None, form, formset, status=422, error=exc)
    messages.success(request, _("Questionnaire “%(name)s” created.") % {"name": created.name})
    return redirect("surveys:questionnaire", pk=created.pk)


@never_cache
@login_required
def questionnaire_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A questionnaire: its current questions and versions; the editor for those who keep
    questionnaires."""
    user = _surveys_user(request)
    questionnaire = questionnaire_get(pk=pk)
    manage = can_manage_questionnaires(user)
    if request.method == "POST":
        if not manage:
            raise Http404
        return _save_questionnaire(request, user, questionnaire)
    if manage:
        form = QuestionnaireForm(
            initial={
                "name": questionnaire.name,
                "kind": questionnaire.kind,
                "description": questionnaire.description,
                "is_active": questionnaire.is_active,
            }
        )
        formset = QuestionFormSet(prefix="q", initial=_initial_questions(questionnaire))
        return _editor(request, questionnaire, form, formset)
    version = version_with_questions(questionnaire)
    context = {
        "questionnaire": questionnaire,
        "version": version,
        "versions": list(questionnaire.versions.order_by("-number")),
    }
    return render(request, "surveys/questionnaire.html", context)


def _save_questionnaire(
    request: HttpRequest, user: User, questionnaire: Questionnaire
) -> HttpResponse:
    form = QuestionnaireForm(request.POST)
    formset = QuestionFormSet(request.POST, prefix="q")
    if not (form.is_valid() and formset.is_valid()):
        return _editor(request, questionnaire, form, formset, status=422)
    try:
        # The questionnaire and its questions are saved together or not at all.
        with transaction.atomic():
            questionnaire_update(
                actor=user, questionnaire=questionnaire, fields=dict(form.cleaned_data)
            )
            before = questionnaire.versions.count()
            version = questions_set(
                actor=user, questionnaire=questionnaire, questions=question_items(formset)
            )
    except ValidationError as exc:
        return _editor(request, questionnaire, form, formset, status=422, error=exc)
    if version.number > before:
        messages.success(
            request,
            _(
                "Saved as version %(n)d: the answers given so far stay with the questions "
                "they answered."
            )
            % {"n": version.number},
        )
    else:
        messages.success(request, _("Changes saved."))
    return redirect("surveys:questionnaire", pk=questionnaire.pk)


# --- recording a response ------------------------------------------------------------------------


def _record_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "surveys/record.html", context, status=status)


def _parse_customer(user: User, code: str) -> Customer | None:
    code = code.strip()
    if not code:
        return None
    return (
        Customer.objects.filter(customer_scope(user, Action.VIEW, section=Section.SURVEYS))
        .filter(Q(code__iexact=code))
        .first()
    )


@never_cache
@login_required
def respond_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a response to a questionnaire for a customer named by code."""
    user = _surveys_user(request)
    questionnaire = questionnaire_get(pk=pk)
    version = version_with_questions(questionnaire)
    code = request.POST.get("customer", request.GET.get("customer", "")).strip()
    form = ResponseForm(request.POST or None, version=version)
    context: dict[str, Any] = {
        "questionnaire": questionnaire,
        "version": version,
        "form": form,
        "customer_code": code,
        "customer_error": "",
        "action": reverse("surveys:respond", args=[questionnaire.pk]),
        "cancel": reverse("surveys:list"),
    }
    if request.method != "POST":
        return _record_page(request, context)
    customer = _parse_customer(user, code)
    if customer is None:
        context["customer_error"] = (
            _("Give the customer's code.")
            if not code
            else _("No customer you may see has this code.")
        )
    if not form.is_valid() or customer is None:
        return _record_page(request, context, status=422)
    return _record(request, user, customer, questionnaire, form, context)


def _record(
    request: HttpRequest,
    user: User,
    customer: Customer,
    questionnaire: Questionnaire,
    form: ResponseForm,
    context: dict[str, Any],
) -> HttpResponse:
    data = form.cleaned_data
    try:
        if request.POST.get("send"):
            survey_send(
                actor=user,
                customer=customer,
                questionnaire=questionnaire,
                fields={"channel": data["channel"], "event": data.get("event")},
            )
            text = _("Sent “%(name)s” to %(customer)s; record the answers when they come back.")
        else:
            survey_response_record(
                actor=user,
                customer=customer,
                questionnaire=questionnaire,
                answers=form.answers(),
                fields={
                    "channel": data["channel"],
                    "answered_at": data.get("answered_at"),
                    "event": data.get("event"),
                },
            )
            text = _("The answers of %(customer)s to “%(name)s” are recorded.")
    except PermissionDenied as exc:
        context["customer_error"] = str(exc)
        return _record_page(request, context, status=422)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _record_page(request, context, status=422)
    messages.success(request, text % {"name": questionnaire.name, "customer": customer.name})
    return redirect(reverse("customers:section", args=[customer.pk, Section.SURVEYS]))


@never_cache
@login_required
def file_record_page(request: HttpRequest, customer_pk: int, pk: int) -> HttpResponse:
    """Record (or send) a questionnaire from the file's surveys section."""
    user = _user(request)
    customer = customer_get(
        user=user, pk=customer_pk, action=Action.CREATE, section=Section.SURVEYS, trace=False
    )
    questionnaire = questionnaire_get(pk=pk)
    version = version_with_questions(questionnaire)
    form = ResponseForm(request.POST or None, version=version, events=file_event_choices(customer))
    context: dict[str, Any] = {
        "questionnaire": questionnaire,
        "version": version,
        "form": form,
        "customer": customer,
        "action": reverse("customer-surveys:record", args=[customer.pk, questionnaire.pk]),
        "cancel": reverse("customers:section", args=[customer.pk, Section.SURVEYS]),
    }
    if request.method != "POST":
        return _record_page(request, context)
    if not form.is_valid():
        return _record_page(request, context, status=422)
    return _record(request, user, customer, questionnaire, form, context)


@never_cache
@login_required
def file_answer_page(request: HttpRequest, customer_pk: int, pk: int) -> HttpResponse:
    """Record the answers to a questionnaire sent to the customer earlier."""
    user = _user(request)
    customer = customer_get(
        user=user, pk=customer_pk, action=Action.CREATE, section=Section.SURVEYS, trace=False
    )
    response: SurveyResponse = response_get(user=user, pk=pk)
    if response.customer_id != customer.pk or response.status != ResponseStatus.SENT:
        raise Http404
    form = ResponseForm(request.POST or None, version=response.version, answering=True)
    context: dict[str, Any] = {
        "questionnaire": response.questionnaire,
        "version": response.version,
        "form": form,
        "customer": customer,
        "response": response,
        "action": reverse("customer-surveys:answer", args=[customer.pk, response.pk]),
        "cancel": reverse("customers:section", args=[customer.pk, Section.SURVEYS]),
    }
    if request.method != "POST":
        return _record_page(request, context)
    if not form.is_valid():
        return _record_page(request, context, status=422)
    data = form.cleaned_data
    try:
        survey_response_answer(
            actor=user,
            response=response,
            answers=form.answers(),
            fields={"answered_at": data.get("answered_at")},
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _record_page(request, context, status=422)
    messages.success(
        request,
        _("The answers of %(customer)s to “%(name)s” are recorded.")
        % {"name": response.questionnaire.name, "customer": customer.name},
    )
    return redirect(reverse("customers:section", args=[customer.pk, Section.SURVEYS]))


# --- an event's attendees -----------------------------------------------------------------------


@never_cache
@require_POST
@login_required
def event_send_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a questionnaire to the event's attendees who have not had it yet."""
    user = _user(request)
    event = event_get(user=user, pk=pk)
    if not CustomerEvent.objects.filter(event_survey_send_scope(user), pk=event.pk).exists():
        raise Http404
    form = AttendeeSendForm(request.POST, questionnaires=list(usable_questionnaires()))
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return render_event_page(request, event.pk, errors=errors)
    questionnaire = questionnaire_get(pk=form.cleaned_data["questionnaire"])
    try:
        counts = survey_send_to_attendees(
            actor=user,
            event=event,
            questionnaire=questionnaire,
            fields={"channel": form.cleaned_data["channel"]},
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return render_event_page(request, event.pk, errors=exc.messages)
    messages.success(
        request,
        _(
            "“%(name)s” sent to %(sent)d attendees; %(skipped)d skipped (%(already)d had it "
            "already, %(not_yours)d are files you may not record surveys on)."
        )
        % {
            "name": questionnaire.name,
            "sent": counts["sent"],
            "skipped": counts["skipped"],
            "already": counts["already_sent"],
            "not_yours": counts["not_yours"],
        },
    )
    return redirect("events:detail", pk=event.pk)


# --- scores --------------------------------------------------------------------------------------


def score_departments(user: User) -> list[tuple[int, str]]:
    """The departments of the files in the user's score scope."""
    files = Customer.objects.filter(survey_score_scope(user, prefix=""))
    return list(
        Department.objects.filter(pk__in=files.values("department_id"))
        .order_by("name")
        .values_list("pk", "name")
    )


@never_cache
@login_required
def scores_page(request: HttpRequest) -> HttpResponse:
    user = _surveys_user(request)
    departments = score_departments(user)
    form = ScoreFilterForm(request.GET or None, departments=departments)
    data = form.cleaned_data if form.is_valid() else {}
    kind = data.get("kind") or Kind.CSAT
    period = data.get("period") or Period.MONTH
    since = timezone.localdate() - datetime.timedelta(days=31 * (SCORE_MONTHS - 1))
    filters = ScoreFilters(kind=kind, period=period, department=data.get("department"), since=since)
    overall = score_series(user=user, filters=filters)
    by_department = score_series(user=user, filters=filters, by="department")
    by_event = score_series(user=user, filters=filters, by="event")
    context = {
        "form": form,
        "kind": kind,
        "period": period,
        "total": score_total(user=user, filters=filters),
        "rows": [(period_label(r.period, period), r) for r in (overall[0].rows if overall else [])],
        "departments": [
            (s.label, s.latest, period_label(s.latest.period, period) if s.latest else "")
            for s in by_department
        ],
        "events": [
            (s.key, s.label, s.latest, period_label(s.latest.period, period) if s.latest else "")
            for s in by_event
            if s.key is not None
        ],
    }
    return render(request, "surveys/scores.html", context)
