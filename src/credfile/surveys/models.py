"""Satisfaction surveys: questionnaires (CSAT, NPS) in versions, and the customers' answers.

A questionnaire's questions belong to a version. Editing the questions of a version that has
answers makes a new version, so each answer stays tied to the question as it was asked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer
from credfile.interactions.choices import Channel
from credfile.surveys.choices import Kind, QuestionKind, ResponseStatus


class Questionnaire(TimeStampedModel):
    """A satisfaction questionnaire (满意度问卷), company-wide; its questions are versioned."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(pgettext_lazy("survey", "kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(pgettext_lazy("survey", "description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["csat", "nps"]), name="questionnaire_kind_known"
            )
        ]

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(models.Model):
    """One version of a questionnaire's questions; answers refer to the version they answered."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="questionnaire_version_unique"
            )
        ]

    def __str__(self) -> str:
        # Without the questionnaire's name: a row's text costs no query (exports, the trail).
        return f"v{self.number}"


class Question(models.Model):
    """A question of one version: a score on the questionnaire's scale or a free text."""

    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(
        _("kind of answer"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SCORE
    )
    required = models.BooleanField(_("answer required"), default=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="question_position_unique")
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(TimeStampedModel):
    """A questionnaire sent to a customer or answered by them (满意度调查), kept in the file."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.ANSWERED
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The customer event the survey asks about, if any (the customer was invited to it);
    # by name, as the events app knows nothing of surveys.
    event = models.ForeignKey(
        "events.CustomerEvent",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
    )

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["customer", "answered_at", "id"], name="survey_customer_idx"),
            models.Index(fields=["answered_at", "id"], name="survey_answered_idx"),
            # An event's figures per questionnaire, and who of its guests has one already.
            models.Index(fields=["event", "questionnaire", "customer"], name="survey_event_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="answered") & models.Q(answered_at__isnull=False))
                | (
                    models.Q(status="sent")
                    & models.Q(answered_at__isnull=True)
                    & models.Q(sent_at__isnull=False)
                ),
                name="survey_response_status_times",
            )
        ]

    def __str__(self) -> str:
        # Without the questionnaire's name: a row's text costs no query (exports, the trail);
        # without words, as the trail keeps it in whatever language the writer used.
        when = self.answered_at or self.sent_at
        return f"#{self.pk} {when:%Y-%m-%d}" if when else f"#{self.pk}"


class SurveyAnswer(models.Model):
    """The answer to one question of a response: a score, or a text."""

    response = models.ForeignKey(
        SurveyResponse,
        verbose_name=_("response"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_unique"),
            # The widest scale (NPS 0–10); the service checks the questionnaire's own.
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=10),
                name="survey_answer_score_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.score) if self.score is not None else self.text[:40]
