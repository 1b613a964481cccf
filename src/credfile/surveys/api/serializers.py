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
    answers = AnswerInput(many=True, required=False)


class SurveyAnswersInput(serializers.Serializer[Any]):
    answered_at = serializers.DateTimeField(required=False)
    answers = AnswerInput(many=True)


class SurveyResponseQuery(serializers.Serializer[Any]):
    customer = IdSerializerField(required=False)
    questionnaire = IdSerializerField(required=False)
    status = serializers.ChoiceField(ResponseStatus.choices, required=False)


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
            "recorded_by",
            "answers",
        )
        read_only_fields = fields


class ScoreQuery(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(Kind.choices, required=False)
    period = serializers.ChoiceField(Period.choices, required=False)
    by = serializers.ChoiceField(
        [("all", "all"), ("department", "department"), ("customer", "customer")], required=False
    )
    department = IdSerializerField(required=False)
    customer = IdSerializerField(required=False)
    questionnaire = IdSerializerField(required=False)
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
    key = serializers.IntegerField(allow_null=True, help_text="department or customer id")
    name = serializers.CharField(help_text="the department's name, or the customer's code and name")
    rows = ScoreRowOutput(many=True)


class ScoresOutput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(Kind.choices)
    period = serializers.ChoiceField(Period.choices)
    by = serializers.CharField()
    series = ScoreSeriesOutput(many=True)
