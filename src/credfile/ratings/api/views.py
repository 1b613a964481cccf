"""REST API v1: a file's ratings with their basis, proposing one, and deciding on proposals."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section, rating_decide_scope
from credfile.customers.api.views import ChildResource, CustomerChildViewSet, api_user
from credfile.customers.models import Customer
from credfile.ratings.facts import ASSESSED
from credfile.ratings.inputs import INPUTS
from credfile.ratings.models import Rating
from credfile.ratings.services import rating_decide, rating_propose


class RatingInput(serializers.Serializer[Any]):
    """The assessed factors; the others come from the file. Left out: as in the rating in
    force."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            key: serializers.ChoiceField(
                choices=list(INPUTS[key].choices),
                required=False,
                help_text=str(INPUTS[key].label),
            )
            for key in ASSESSED
        }


class RatingOutput(serializers.ModelSerializer[Rating]):
    card = serializers.CharField(source="version.scorecard.key", read_only=True)
    card_version = serializers.IntegerField(source="version.number", read_only=True)
    proposed_by = serializers.CharField(
        source="proposed_by.username",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="null: credfile's daily re-rating of a file whose data changed",
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    basis = serializers.JSONField(
        read_only=True,
        help_text="Each factor's input value, data date, source, bin and points; the caps "
        "applied; the card version; the assessed inputs.",
    )

    class Meta:
        model = Rating
        fields = [
            "id",
            "as_of",
            "score",
            "score_grade",
            "grade",
            "previous_grade",
            "status",
            "is_current",
            "trigger",
            "missing",
            "card",
            "card_version",
            "basis",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


def _propose(*, actor: Any, customer: Customer, fields: dict[str, str]) -> Rating:
    return rating_propose(actor=actor, customer=customer, assessed=fields)


class CustomerRatingViewSet(CustomerChildViewSet):
    """A file's ratings, newest first. POST rates the file on its card: whoever may rate it
    (a credit manager any file, the department's people the files they may change); a grade
    other than the one in force waits for another credit manager's approval."""

    resource = ChildResource(
        segment="ratings",
        section=Section.RATINGS,
        model=Rating,
        input=RatingInput,
        output=RatingOutput,
        create=_propose,
        ordering=("-proposed_at", "-id"),
        prefetch=("version__scorecard", "proposed_by", "decided_by"),
    )


class RatingDecisionInput(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RatingDecisionViewSet(viewsets.GenericViewSet[Rating]):
    """Approve or reject a rating proposal: a credit manager other than its proposer."""

    @extend_schema(
        request=RatingDecisionInput, responses={200: RatingOutput, **problem_responses(400, 404)}
    )
    def create(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        rating = get_object_or_404(Rating.objects.filter(rating_decide_scope(user)), pk=pk)
        data = RatingDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decided = rating_decide(
            actor=user,
            rating=rating,
            approve=data.validated_data["decision"] == "approve",
            note=data.validated_data["note"],
        )
        return Response(RatingOutput(decided).data)


urlpatterns: list[URLPattern] = [
    CustomerRatingViewSet.urlpattern(),
    path(
        "ratings/<id:pk>/decision/",
        RatingDecisionViewSet.as_view({"post": "create"}),
        name="rating-decision",
    ),
]
