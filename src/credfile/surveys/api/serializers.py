"""Input and output shapes of satisfaction surveys."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from credfile.core.fields import IdSerializerField
from credfile.interactions.choices import Channel
from credfile.surveys.choices import Kind, Period, ResponseStatus
from credfile.surveys.models import Question, Questionnaire, SurveyAnswer, SurveyResponse


class QuestionInput(serializers.ModelSerializer[Question]):
    """A question: its text, a score or a free text (`kind`), and whether it must be
    answered (`required`, default true)."""

    class Meta:
        model = Question
        fields = ("text", "kind", "required")
        extra_kwargs: dict[str, Any] = {"text": {"allow_blank": True}}


class QuestionPatch(QuestionInput):
    class Meta(QuestionInput.Meta):
        extra_kwargs: dict[str, Any] = {"text": {"allow_blank": True, "required": False}}


class QuestionOutput(serializers.ModelSerializer[Question]):
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Question
        fields = ("id", "position", "text", "kind", "required", "version")
        read_only_fields = fields


class QuestionnaireInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, allow_blank=True)
    kind = serializers.ChoiceField(Kind.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    questions = QuestionInput(many=True, required=False)


class QuestionnairePatch(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, allow_blank=True, required=False)
    kind = serializers.ChoiceField(Kind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class QuestionnaireOutput(serializers.ModelSerializer[Questionnaire]):
    version = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Questionnaire
        fields = ("id", "name", "kind", "description", "is_active", "version", "questions")
        read_only_fields = fields

    def get_version(self, obj: Questionnaire) -> int:
        version = obj.versions.order_by("-number").first()
        return version.number if version else 0

    def get_questions(self, obj: Questionnaire) -> list[dict[str, Any]]:
        version = obj.versions.order_by("-number").first()
        questions = version.questions.order_by("position") if version else Question.objects.none()
        return list(QuestionOutput(questions, many=True).data)


class AnswerInput(serializers.Serializer[Any]):
    question = IdSerializerField()
    score = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True)


class SurveyResponseInput(serializers.Serializer[Any]):
    customer = IdSerializerField()
    questionnaire = IdSerializerField()
    status = serializers.ChoiceField(
        ResponseStatus.choices,
        required=False,
        help_text="`sent` records that the questionnaire was sent (no answers yet); "
        "`answered` (the default) records the answers.",
    )
    channel = serializers.ChoiceField(Channel.choices, required=False)
    sent_at = serializers.DateTimeField(required=False)
    answered_at = serializers.DateTimeField(required=False)
    event = IdSerializerField(
        required=False,
        allow_null=True,
        help_text="The customer event the survey is about: one the customer was invited to.",
    )
    answers = AnswerInput(many=True, required=False)


class SurveyAnswersInput(serializers.Serializer[Any]):
    answered_at = serializers.DateTimeField(required=False)
    answers = AnswerInput(many=True)


class SurveyResponseQuery(serializers.Serializer[Any]):
    customer = IdSerializerField(required=False)
    questionnaire = IdSerializerField(required=False)
    status = serializers.ChoiceField(ResponseStatus.choices, required=False)
    event = IdSerializerField(required=False, help_text="The responses about this event.")


class AnswerOutput(serializers.ModelSerializer[SurveyAnswer]):
    text = serializers.CharField(read_only=True)
    question_text = serializers.CharField(source="question.text", read_only=True)

    class Meta:
        model = SurveyAnswer
        fields = ("question", "question_text", "score", "text")
        read_only_fields = fields


class SurveyResponseOutput(serializers.ModelSerializer[SurveyResponse]):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    kind = serializers.CharField(source="questionnaire.kind", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    event = serializers.SerializerMethodField(help_text="The event the survey is about.")
    event_title = serializers.SerializerMethodField()
    answers = AnswerOutput(many=True, read_only=True)

    class Meta:
        model = SurveyResponse
        fields = (
            "id",
            "customer",
            "customer_code",
            "questionnaire",
            "kind",
            "version",
            "status",
            "channel",
            "sent_at",
            "answered_at",
            "event",
            "event_title",
            "recorded_by",
            "answers",
        )
        read_only_fields = fields

    # An event the reader may not open (another department's, the file lent through a
    # grant on its surveys only) is not named: null, as for a survey about no event.
    def get_event(self, obj: SurveyResponse) -> int | None:
        return obj.event_id if getattr(obj, "event_visible", False) else None

    def get_event_title(self, obj: SurveyResponse) -> str | None:
        visible = obj.event is not None and getattr(obj, "event_visible", False)
        return obj.event.title if visible and obj.event is not None else None


class ScoreQuery(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(Kind.choices, required=False)
    period = serializers.ChoiceField(Period.choices, required=False)
    by = serializers.ChoiceField(
        [
            ("all", "all"),
            ("department", "department"),
            ("customer", "customer"),
            ("event", "event"),
        ],
        required=False,
    )
    department = IdSerializerField(required=False)
    customer = IdSerializerField(required=False)
    questionnaire = IdSerializerField(required=False)
    event = IdSerializerField(required=False, help_text="Only the answers about this event.")
    since = serializers.DateField(required=False)


def _decimal() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True
    )


class ScoreOutput(serializers.Serializer[Any]):
    answers = serializers.IntegerField()
    value = _decimal()
    mean = _decimal()
    csat = _decimal()
    satisfied = serializers.IntegerField()
    nps = _decimal()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()


class ScoreRowOutput(serializers.Serializer[Any]):
    period = serializers.DateField()
    score = ScoreOutput()
    trend = _decimal()


class ScoreSeriesOutput(serializers.Serializer[Any]):
    key = serializers.IntegerField(allow_null=True, help_text="department, customer or event id")
    name = serializers.CharField(
        help_text="the department's name, the customer's code and name, or the event's title"
    )
    rows = ScoreRowOutput(many=True)


class ScoresOutput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(Kind.choices)
    period = serializers.ChoiceField(Period.choices)
    by = serializers.CharField()
    series = ScoreSeriesOutput(many=True)


class AttendeeSendInput(serializers.Serializer[Any]):
    questionnaire = IdSerializerField()
    channel = serializers.ChoiceField(Channel.choices, required=False)


class AttendeeSendOutput(serializers.Serializer[Any]):
    sent = serializers.IntegerField(help_text="Responses created, status `sent`.")
    skipped = serializers.IntegerField(help_text="Attendees left out.")
    already_sent = serializers.IntegerField(
        help_text="Attendees with a response of this questionnaire for this event already."
    )
    not_yours = serializers.IntegerField(
        help_text="Attendees whose file the caller may not record surveys on."
    )
