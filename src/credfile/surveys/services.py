"""Writes of satisfaction surveys: questionnaires and their versioned questions, sending a
questionnaire to a customer and recording the answers — each one transaction with its audit
event."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, audit_record_many, model_snapshot
from credfile.core.permissions import (
    can_manage_questionnaires,
    event_survey_send_scope,
    survey_record_scope,
)
from credfile.customers.hooks import files_changed
from credfile.customers.models import Customer
from credfile.customers.services import lock_customer_for_change, only_fields, touch_customer
from credfile.events.choices import EventStatus, InvitationStatus
from credfile.events.models import CustomerEvent, Invitation
from credfile.history.choices import Operation
from credfile.history.models import FileVersion
from credfile.history.services import created_versions, version_record_one
from credfile.interactions.choices import Channel
from credfile.surveys.choices import SCALES, Kind, QuestionKind, ResponseStatus
from credfile.surveys.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyResponse,
)

QUESTIONNAIRE_FIELDS = ("name", "kind", "description", "is_active")
QUESTION_FIELDS = ("text", "kind", "required")
RESPONSE_FIELDS = ("channel", "answered_at", "sent_at", "event")
MAX_QUESTIONS = 30
MAX_TEXT_ANSWER = 2000
# Older times are typing slips.
EARLIEST_YEAR = 1900


def _may_manage(actor: User) -> None:
    if not can_manage_questionnaires(actor):
        raise PermissionDenied(_("Only department heads and credit managers keep questionnaires."))


def current_version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    version = questionnaire.versions.order_by("-number").first()
    assert version is not None  # every questionnaire is created with its first version
    return version


def _question_snapshot(questions: list[Question]) -> list[dict[str, Any]]:
    return [
        {"position": q.position, "text": q.text, "kind": q.kind, "required": q.required}
        for q in questions
    ]


# --- questionnaires ------------------------------------------------------------------------------


def _clean_questionnaire(
    questionnaire: Questionnaire, errors: dict[str, list[str]], *, answered: bool, kind_before: str
) -> None:
    questionnaire.name = (questionnaire.name or "").strip()
    if not questionnaire.name:
        errors["name"] = [_("Give the questionnaire a name.")]
    elif (
        Questionnaire.objects.filter(name__iexact=questionnaire.name)
        .exclude(pk=questionnaire.pk)
        .exists()
    ):
        errors["name"] = [_("Another questionnaire already has this name.")]
    if questionnaire.kind not in Kind.values:
        errors["kind"] = [
            _("“%(value)s” is not a kind of questionnaire; choose CSAT or NPS.")
            % {"value": questionnaire.kind}
        ]
    elif answered and questionnaire.kind != kind_before:
        errors["kind"] = [
            _(
                "This questionnaire has answers on its scale; its kind cannot change. "
                "Make a new questionnaire instead."
            )
        ]


@transaction.atomic
def questionnaire_create(
    *, actor: User, fields: dict[str, Any], questions: list[dict[str, Any]] | None = None
) -> Questionnaire:
    """A new questionnaire with its first version of questions (possibly none yet)."""
    _may_manage(actor)
    values = only_fields(fields, QUESTIONNAIRE_FIELDS)
    questionnaire = Questionnaire(created_by=actor, **values)
    errors: dict[str, list[str]] = {}
    _clean_questionnaire(questionnaire, errors, answered=False, kind_before="")
    built = _build_questions(questions or [], errors)
    if errors:
        raise ValidationError(errors)
    questionnaire.full_clean(validate_constraints=False)
    questionnaire.save()
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, created_by=actor
    )
    for question in built:
        question.version = version
    Question.objects.bulk_create(built)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=questionnaire,
        after=model_snapshot(questionnaire)
        | {"version": 1, "questions": _question_snapshot(built)},
    )
    return questionnaire


@transaction.atomic
def questionnaire_update(
    *, actor: User, questionnaire: Questionnaire, fields: dict[str, Any]
) -> Questionnaire:
    """Change a questionnaire's name, description, use or (while it has no answers) kind."""
    _may_manage(actor)
    values = only_fields(fields, QUESTIONNAIRE_FIELDS)
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    before = model_snapshot(locked)
    kind_before = locked.kind
    for name, value in values.items():
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    answered = locked.responses.exists()
    _clean_questionnaire(locked, errors, answered=answered, kind_before=kind_before)
    if errors:
        raise ValidationError(errors)
    locked.full_clean(validate_constraints=False)
    after = model_snapshot(locked)
    changed = {k: v for k, v in after.items() if before.get(k) != v and k != "updated_at"}
    if not changed:
        return locked
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before={k: before.get(k) for k in changed},
        after=changed,
    )
    return locked


# --- questions, in versions ----------------------------------------------------------------------


def _build_questions(items: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[Question]:
    """Unsaved questions in the given order; the problems under `questions`, by number."""
    problems: list[str] = []
    if len(items) > MAX_QUESTIONS:
        problems.append(_("A questionnaire has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    built = []
    for index, item in enumerate(items, start=1):
        unknown = set(item) - set(QUESTION_FIELDS)
        if unknown:
            problems.append(
                _("Question %(n)d: %(fields)s cannot be set.")
                % {"n": index, "fields": ", ".join(sorted(unknown))}
            )
            continue
        text = str(item.get("text") or "").strip()
        kind = item.get("kind") or QuestionKind.SCORE
        if not text:
            problems.append(_("Question %(n)d: give the question's text.") % {"n": index})
        elif len(text) > 300:
            problems.append(_("Question %(n)d: at most 300 characters, please.") % {"n": index})
        if kind not in QuestionKind.values:
            problems.append(
                _("Question %(n)d: “%(value)s” is not a kind of answer; choose a score or a text.")
                % {"n": index, "value": kind}
            )
        built.append(
            Question(
                position=index, text=text, kind=kind, required=bool(item.get("required", True))
            )
        )
    if problems:
        errors["questions"] = problems
    return built


def _same(questions: list[Question], built: list[Question]) -> bool:
    return _question_snapshot(questions) == _question_snapshot(built)


@transaction.atomic
def questions_set(
    *, actor: User, questionnaire: Questionnaire, questions: list[dict[str, Any]]
) -> QuestionnaireVersion:
    """Set the questionnaire's questions, in order. While its current version has no answers
    the version is edited in place; once answered, the change makes a new version, and the
    answers already given stay tied to the questions they answered."""
    _may_manage(actor)
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    version = current_version(locked)
    errors: dict[str, list[str]] = {}
    built = _build_questions(questions, errors)
    if errors:
        raise ValidationError(errors)
    existing = list(version.questions.order_by("position"))
    if _same(existing, built):
        return version
    before = {"version": version.number, "questions": _question_snapshot(existing)}
    if version.responses.exists():
        version = QuestionnaireVersion.objects.create(
            questionnaire=locked, number=version.number + 1, created_by=actor
        )
    else:
        version.questions.all().delete()
    for question in built:
        question.version = version
    Question.objects.bulk_create(built)
    locked.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=before,
        after={"version": version.number, "questions": _question_snapshot(built)},
    )
    return version


def _current_items(version: QuestionnaireVersion) -> list[dict[str, Any]]:
    return [
        {"text": q.text, "kind": q.kind, "required": q.required}
        for q in version.questions.order_by("position")
    ]


def _in_current(question: Question) -> tuple[Questionnaire, QuestionnaireVersion]:
    questionnaire = question.version.questionnaire
    version = current_version(questionnaire)
    if question.version_id != version.pk:
        raise ValidationError(
            {
                "question": [
                    _(
                        "This question belongs to version %(old)d; the questionnaire is at "
                        "version %(new)d. Edit the question of the current version."
                    )
                    % {"old": question.version.number, "new": version.number}
                ]
            }
        )
    return questionnaire, version


@transaction.atomic
def question_add(*, actor: User, questionnaire: Questionnaire, fields: dict[str, Any]) -> Question:
    """Add a question at the end of the current version (or of a new one, once answered)."""
    _may_manage(actor)
    items = [*_current_items(current_version(questionnaire)), only_fields(fields, QUESTION_FIELDS)]
    version = questions_set(actor=actor, questionnaire=questionnaire, questions=items)
    return version.questions.get(position=len(items))


@transaction.atomic
def question_update(*, actor: User, question: Question, fields: dict[str, Any]) -> Question:
    """Change one question of the current version; returns it as it now stands (a new row
    of a new version if the old one had answers)."""
    _may_manage(actor)
    values = only_fields(fields, QUESTION_FIELDS)
    questionnaire, version = _in_current(question)
    items = _current_items(version)
    items[question.position - 1] |= values
    new = questions_set(actor=actor, questionnaire=questionnaire, questions=items)
    return new.questions.get(position=question.position)


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> QuestionnaireVersion:
    """Remove one question of the current version."""
    _may_manage(actor)
    questionnaire, version = _in_current(question)
    items = _current_items(version)
    del items[question.position - 1]
    return questions_set(actor=actor, questionnaire=questionnaire, questions=items)


# --- sending and answering -----------------------------------------------------------------------


def _when(value: Any, field: str, errors: dict[str, list[str]]) -> datetime.datetime | None:
    if value in (None, ""):
        return timezone.now()
    if not isinstance(value, datetime.datetime):
        errors[field] = [_("Give a date and time.")]
        return None
    if value.year < EARLIEST_YEAR or value > timezone.now() + datetime.timedelta(hours=1):
        errors[field] = [_("Give a date and time; it cannot be in the future.")]
        return None
    return value


def _usable(questionnaire: Questionnaire, errors: dict[str, list[str]]) -> QuestionnaireVersion:
    version = current_version(questionnaire)
    if not questionnaire.is_active:
        errors["questionnaire"] = [
            _("“%(name)s” is no longer in use.") % {"name": questionnaire.name}
        ]
    elif not version.questions.exists():
        errors["questionnaire"] = [
            _("“%(name)s” has no questions yet: add its questions before sending it.")
            % {"name": questionnaire.name}
        ]
    return version


def answer_field(question: Question | int) -> str:
    """The field an answer's error is given under: `answer_<question id>`."""
    return f"answer_{question if isinstance(question, int) else question.pk}"


def _clean_answers(
    version: QuestionnaireVersion, answers: dict[Any, Any], errors: dict[str, list[str]]
) -> list[SurveyAnswer]:
    """The answers to the version's questions, keyed by question id; a missing required
    answer, a score off the scale or an unknown question is an error on its field."""
    questions = {q.pk: q for q in version.questions.order_by("position")}
    low, high = SCALES[version.questionnaire.kind]
    given: dict[int, Any] = {}
    unknown = []
    for key, value in (answers or {}).items():
        try:
            pk = int(str(key).removeprefix("answer_"))
        except ValueError:
            pk = 0
        if pk not in questions:
            unknown.append(str(key))
        else:
            given[pk] = value
    if unknown:
        errors["answers"] = [
            _("These are not questions of this questionnaire: %(keys)s.")
            % {"keys": ", ".join(unknown)}
        ]
    built = []
    for pk, question in questions.items():
        value = given.get(pk)
        if isinstance(value, str):
            value = value.strip()
        field = answer_field(pk)
        if value in (None, ""):
            if question.required:
                errors[field] = [_("This question needs an answer.")]
            continue
        if question.kind == QuestionKind.SCORE:
            number = _integer(value)
            if number is None or not low <= number <= high:
                errors[field] = [
                    _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
                ]
                continue
            built.append(SurveyAnswer(question=question, score=number))
        else:
            text = str(value)
            if len(text) > MAX_TEXT_ANSWER:
                errors[field] = [_("At most %(n)d characters, please.") % {"n": MAX_TEXT_ANSWER}]
                continue
            built.append(SurveyAnswer(question=question, text=text))
    if not built and not errors:
        errors["answers"] = [_("Answer at least one question.")]
    return built


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        text = str(value).strip()
        return int(text) if text.lstrip("-").isdigit() else None
    except (TypeError, ValueError):
        return None


def _channel(values: dict[str, Any], errors: dict[str, list[str]]) -> str:
    channel = values.get("channel") or Channel.PHONE
    if channel not in Channel.values:
        errors["channel"] = [
            _("“%(value)s” is not a channel; choose one of: %(choices)s.")
            % {"value": channel, "choices": ", ".join(str(c) for c in Channel.labels)}
        ]
    return str(channel)


def _event(
    customer: Customer,
    questionnaire: Questionnaire,
    value: Any,
    errors: dict[str, list[str]],
    *,
    answering: bool,
) -> CustomerEvent | None:
    """The event a survey is about: one the customer was invited to, and one for which the
    file has no response of this questionnaire yet. An id the customer was not invited to —
    another department's event, or none at all — gets the same answer."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, CustomerEvent) else _integer(value)
    invitation = (
        Invitation.objects.filter(customer_id=customer.pk, event_id=pk)
        .select_related("event")
        .first()
        if pk is not None
        else None
    )
    if invitation is None:
        errors["event"] = [
            _(
                "%(customer)s was not invited to this event; choose one of the events "
                "they were invited to."
            )
            % {"customer": customer.name}
        ]
        return None
    existing = (
        SurveyResponse.objects.filter(
            customer_id=customer.pk, event_id=pk, questionnaire=questionnaire
        )
        .values_list("status", flat=True)
        .first()
    )
    names = {"customer": customer.name, "name": questionnaire.name}
    if existing == ResponseStatus.ANSWERED:
        errors["event"] = [
            _("%(customer)s has answered “%(name)s” for this event already.") % names
        ]
    elif existing == ResponseStatus.SENT and answering:
        errors["event"] = [
            _(
                "“%(name)s” was sent to %(customer)s for this event: record the answers "
                "on the questionnaire sent."
            )
            % names
        ]
    elif existing == ResponseStatus.SENT:
        errors["event"] = [_("“%(name)s” was sent to %(customer)s for this event already.") % names]
    if existing is not None:
        return None
    return invitation.event


def _answers_snapshot(answers: list[SurveyAnswer]) -> list[dict[str, Any]]:
    return [
        {"question": a.question_id, "text": a.question.text, "score": a.score, "answer": a.text}
        for a in answers
    ]


def _save(
    *,
    actor: User,
    customer: Customer,
    response: SurveyResponse,
    answers: list[SurveyAnswer],
    before: dict[str, Any] | None,
) -> SurveyResponse:
    response.full_clean(exclude=["customer", "questionnaire", "version", "recorded_by", "event"])
    response.save()
    for answer in answers:
        answer.response = response
    SurveyAnswer.objects.bulk_create(answers)
    version = touch_customer(customer)
    after = model_snapshot(response) | {"answers": _answers_snapshot(answers)}
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=response,
        before=before,
        after=after,
        customer_id=customer.pk,
    )
    version_record_one(
        actor=actor,
        customer_id=customer.pk,
        version=version,
        obj=response,
        operation=Operation.UPDATE if before else Operation.CREATE,
        before=before,
    )
    return response


@transaction.atomic
def survey_send(
    *,
    actor: User,
    customer: Customer,
    questionnaire: Questionnaire,
    fields: dict[str, Any] | None = None,
) -> SurveyResponse:
    """Record that a questionnaire was sent to a customer (its current version); the
    answers are recorded on it when they come back."""
    customer = lock_customer_for_change(actor, customer)
    values = only_fields(fields or {}, ("channel", "sent_at", "event"))
    errors: dict[str, list[str]] = {}
    version = _usable(questionnaire, errors)
    channel = _channel(values, errors)
    sent_at = _when(values.get("sent_at"), "sent_at", errors)
    event = _event(customer, questionnaire, values.get("event"), errors, answering=False)
    if errors:
        raise ValidationError(errors)
    response = SurveyResponse(
        customer=customer,
        questionnaire=questionnaire,
        version=version,
        status=ResponseStatus.SENT,
        channel=channel,
        sent_at=sent_at,
        event=event,
        recorded_by=actor,
    )
    return _save(actor=actor, customer=customer, response=response, answers=[], before=None)


@transaction.atomic
def survey_response_record(
    *,
    actor: User,
    customer: Customer,
    questionnaire: Questionnaire,
    answers: dict[Any, Any],
    fields: dict[str, Any] | None = None,
) -> SurveyResponse:
    """Record a customer's answers to the current version of a questionnaire."""
    customer = lock_customer_for_change(actor, customer)
    values = only_fields(fields or {}, RESPONSE_FIELDS)
    errors: dict[str, list[str]] = {}
    version = _usable(questionnaire, errors)
    channel = _channel(values, errors)
    answered_at = _when(values.get("answered_at"), "answered_at", errors)
    sent_at = values.get("sent_at") or None
    if sent_at is not None:
        sent_at = _when(sent_at, "sent_at", errors)
        if sent_at and answered_at and sent_at > answered_at:
            errors["sent_at"] = [_("It was sent before it was answered.")]
    built = _clean_answers(version, answers, errors) if "questionnaire" not in errors else []
    event = _event(customer, questionnaire, values.get("event"), errors, answering=True)
    if errors:
        raise ValidationError(errors)
    response = SurveyResponse(
        customer=customer,
        questionnaire=questionnaire,
        version=version,
        status=ResponseStatus.ANSWERED,
        channel=channel,
        sent_at=sent_at,
        answered_at=answered_at,
        event=event,
        recorded_by=actor,
    )
    return _save(actor=actor, customer=customer, response=response, answers=built, before=None)


@transaction.atomic
def survey_response_answer(
    *,
    actor: User,
    response: SurveyResponse,
    answers: dict[Any, Any],
    fields: dict[str, Any] | None = None,
) -> SurveyResponse:
    """Record the answers to a questionnaire sent earlier: to the version that was sent."""
    customer = lock_customer_for_change(actor, response.customer)
    values = only_fields(fields or {}, ("channel", "answered_at"))
    locked = (
        SurveyResponse.objects.select_for_update()
        .select_related("version__questionnaire")
        .get(pk=response.pk)
    )
    errors: dict[str, list[str]] = {}
    if locked.status != ResponseStatus.SENT:
        raise ValidationError({"answers": [_("This survey has been answered already.")]})
    before = model_snapshot(locked)
    if "channel" in values:
        locked.channel = _channel(values, errors)
    answered_at = _when(values.get("answered_at"), "answered_at", errors)
    if answered_at and locked.sent_at and answered_at < locked.sent_at:
        errors["answered_at"] = [_("It cannot be answered before it was sent.")]
    built = _clean_answers(locked.version, answers, errors)
    if errors:
        raise ValidationError(errors)
    locked.status = ResponseStatus.ANSWERED
    locked.answered_at = answered_at
    return _save(actor=actor, customer=customer, response=locked, answers=built, before=before)


# --- an event's attendees ------------------------------------------------------------------------


def _lock_event_for_surveys(actor: User, event: CustomerEvent | int) -> CustomerEvent:
    pk = event if isinstance(event, int) else event.pk
    locked = (
        CustomerEvent.objects.select_for_update()
        .filter(event_survey_send_scope(actor), pk=pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not send questionnaires to this event's guests."))
    return locked


@transaction.atomic
def survey_send_to_attendees(
    *,
    actor: User,
    event: CustomerEvent,
    questionnaire: Questionnaire,
    fields: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Send a questionnaire (its current version) to every guest who attended the event and
    has no response of it for this event yet: one response each, sent now, in one go.

    Refused before the event begins and for a cancelled event. An attendee whose file the
    sender may not record surveys on is left out, as is one sent it already; the counts say
    how many were sent and skipped (`already_sent`, `not_yours`)."""
    event = _lock_event_for_surveys(actor, event)
    values = only_fields(fields or {}, ("channel",))
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if event.status == EventStatus.CANCELLED:
        errors["event"] = [_("The event is cancelled: there are no attendees to ask.")]
    elif event.starts_at > now:
        errors["event"] = [
            _(
                "This event begins on %(when)s: a questionnaire goes to its attendees once "
                "it has begun."
            )
            % {"when": formats.date_format(timezone.localtime(event.starts_at), "Y-m-d H:i")}
        ]
    version = _usable(questionnaire, errors)
    channel = _channel(values, errors)
    if errors:
        raise ValidationError(errors)
    attended = sorted(
        set(
            Invitation.objects.filter(event=event, status=InvitationStatus.ATTENDED).values_list(
                "customer_id", flat=True
            )
        )
    )
    # The files, locked in id order (the one lock order of every writer of a file): a
    # single survey recorded meanwhile cannot slip in between the check and the insert.
    mine = list(
        Customer.objects.select_for_update()
        .filter(survey_record_scope(actor), pk__in=attended)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    already = set(
        SurveyResponse.objects.filter(
            event=event, questionnaire=questionnaire, customer_id__in=mine
        ).values_list("customer_id", flat=True)
    )
    targets = [pk for pk in mine if pk not in already]
    if targets:
        responses = SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    customer_id=pk,
                    questionnaire=questionnaire,
                    version=version,
                    status=ResponseStatus.SENT,
                    channel=channel,
                    sent_at=now,
                    event=event,
                    recorded_by=actor,
                )
                for pk in targets
            ]
        )
        # Each file's version moves on with its new record, as for a single survey.
        Customer.objects.filter(pk__in=targets).update(version=F("version") + 1)
        versions = dict(Customer.objects.filter(pk__in=targets).values_list("pk", "version"))
        FileVersion.objects.bulk_create(
            created_versions(actor=actor, objects=responses, versions=versions)
        )
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            objects=list(responses),
            after=[model_snapshot(r) | {"answers": []} for r in responses],
            customer_ids=targets,
        )
        files_changed(customer_ids=targets)
    return {
        "sent": len(targets),
        "skipped": len(attended) - len(targets),
        "already_sent": len(already),
        "not_yours": len(attended) - len(mine),
    }
