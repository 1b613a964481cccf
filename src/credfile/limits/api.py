"""REST API v1: the exposure check an ERP calls before taking an order, and customer groups
(集团客户) with their members, group limit and group exposure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credfile.accounts.models import User
from credfile.core.api_schema import problem_responses
from credfile.core.models import Currency
from credfile.core.permissions import can_manage_groups
from credfile.customers.api.views import api_user, paginate
from credfile.limits import selectors
from credfile.limits.choices import GroupRelation
from credfile.limits.models import CustomerGroup
from credfile.limits.services import (
    exposure_check,
    find_customers,
    group_create,
    group_member_add,
    group_member_remove,
)


class ExposureCheckInput(serializers.Serializer[Any]):
    customer = serializers.CharField(
        max_length=64,
        help_text=gettext_lazy("Credfile code, external (ERP) code, credit code or ID number."),
    )
    amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=gettext_lazy("The order's amount."),
    )
    currency = serializers.ChoiceField(Currency.choices)


class ReasonOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class ExposureCheckGroupOutput(serializers.Serializer[Any]):
    """The member's customer group: its exposure with this order, its limit, the headroom."""

    name = serializers.CharField()
    exposure = serializers.DecimalField(max_digits=18, decimal_places=2)
    limit = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    headroom = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class ExposureCheckOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    customer = serializers.CharField(help_text=gettext_lazy("The file's credfile code."))
    allowed = serializers.BooleanField()
    exposure = serializers.DecimalField(max_digits=18, decimal_places=2)
    limit = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    headroom = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    reasons = ReasonOutput(many=True)
    group = ExposureCheckGroupOutput(
        allow_null=True, help_text=gettext_lazy("The customer's group, or null for none.")
    )


class ExposureCheckView(APIView):
    """Exposure check (敞口检查): may an order of this amount be taken? Exposure = open
    receivables in the currency + counted open orders + this order; refused over the limit
    with its tolerance, with no or an expired limit, blocked credit, invoices overdue
    beyond the allowed days, or a grade below the floor; for a member of a customer group,
    also over the group limit (the members' exposure added up). Every check is recorded."""

    @extend_schema(
        request=ExposureCheckInput,
        responses={200: ExposureCheckOutput, **problem_responses(400)},
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        data = ExposureCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        ref = data.validated_data["customer"]
        matches = find_customers(user, ref)
        if not matches:
            # The same answer for a file outside one's scope: it does not exist for them.
            raise serializers.ValidationError(
                {"customer": [_("No customer you may see has this code or number.")]}
            )
        if len(matches) > 1:
            raise serializers.ValidationError(
                {"customer": [_("This names more than one customer; use the customer code.")]}
            )
        customer = matches[0]
        outcome = exposure_check(
            actor=user,
            customer=customer,
            amount=data.validated_data["amount"],
            currency=data.validated_data["currency"],
        )
        assert outcome.check is not None
        body = {
            "id": outcome.check.pk,
            "customer": customer.code,
            "allowed": outcome.allowed,
            "exposure": outcome.exposure,
            "limit": outcome.limit,
            "headroom": outcome.headroom,
            "currency": outcome.currency,
            "reasons": outcome.reasons,
            "group": (
                {
                    "name": outcome.group.name,
                    "exposure": outcome.group.exposure,
                    "limit": outcome.group.limit,
                    "headroom": outcome.group.headroom,
                }
                if outcome.group
                else None
            ),
        }
        return Response(ExposureCheckOutput(body).data)


# --- customer groups ---------------------------------------------------------------------------


class CustomerGroupInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class CustomerGroupListOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    members = serializers.IntegerField(
        source="shown_members", help_text=gettext_lazy("Members among the files you may see.")
    )


class GroupMemberInput(serializers.Serializer[Any]):
    customer = serializers.CharField(
        max_length=64, help_text=gettext_lazy("The customer's credfile code.")
    )
    relation = serializers.ChoiceField(GroupRelation.choices)
    is_head = serializers.BooleanField(required=False, default=False)


class GroupMemberOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    customer = serializers.CharField(
        source="customer.code", help_text=gettext_lazy("The file's credfile code.")
    )
    customer_name = serializers.CharField(source="customer.name")
    relation = serializers.CharField()
    is_head = serializers.BooleanField()


class GroupPositionOutput(serializers.Serializer[Any]):
    currency = serializers.CharField()
    exposure = serializers.DecimalField(max_digits=18, decimal_places=2)
    limit = serializers.DecimalField(
        source="amount", max_digits=18, decimal_places=2, allow_null=True
    )
    headroom = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    valid_until = serializers.DateField(source="limit.valid_until", allow_null=True)
    expired = serializers.BooleanField()
    blocked = serializers.BooleanField(source="limit.blocked", allow_null=True)


class CustomerGroupDetailOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    note = serializers.CharField()
    members = GroupMemberOutput(many=True)
    other_members = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy(
            "How many members are outside your files; null where the policy says nothing."
        ),
    )
    positions = GroupPositionOutput(
        many=True, help_text=gettext_lazy("Group exposure, group limit and headroom per currency.")
    )
    waiting_requests = serializers.IntegerField()


def _may_manage(user: User) -> None:
    # Before reading the input: a caller who may not change groups learns nothing from it.
    if not can_manage_groups(user):
        raise PermissionDenied(_("Customer groups are kept by the credit managers."))


def _detail(user: User, group: CustomerGroup) -> dict[str, Any]:
    members = selectors.visible_members(user=user, group=group)
    return {
        "id": group.pk,
        "name": group.name,
        "note": group.note,
        "members": members,
        "other_members": selectors.outsider_count(user=user, group=group, shown=len(members)),
        "positions": selectors.group_positions(group.pk),
        "waiting_requests": selectors.waiting_group_requests([group.pk]).get(group.pk, 0),
    }


class CustomerGroupViewSet(viewsets.GenericViewSet[CustomerGroup]):
    """Customer groups (集团客户): those with a member among the files you may see (every
    group for the roles that read every file). Credit managers open new ones."""

    @extend_schema(responses={200: CustomerGroupListOutput, **problem_responses(400)})
    def list(self, request: Request) -> Response:
        user = api_user(request)
        return paginate(self, selectors.group_list(user=user), ("-id",), CustomerGroupListOutput)

    @extend_schema(
        request=CustomerGroupInput,
        responses={201: CustomerGroupDetailOutput, **problem_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        user = api_user(request)
        _may_manage(user)
        data = CustomerGroupInput(data=request.data)
        data.is_valid(raise_exception=True)
        group = group_create(actor=user, **data.validated_data)
        return Response(
            CustomerGroupDetailOutput(_detail(user, group)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: CustomerGroupDetailOutput, **problem_responses(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        """One customer group: the members you may see, how many others there are (where the
        policy tells), and its exposure, limit and headroom per currency."""
        user = api_user(request)
        group = selectors.group_get(user=user, pk=pk)
        return Response(CustomerGroupDetailOutput(_detail(user, group)).data)


class GroupMembersView(APIView):
    """Add a customer (by its code) to the group: a credit manager; a customer is in one
    group at most."""

    @extend_schema(
        request=GroupMemberInput,
        responses={201: GroupMemberOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        group = selectors.group_get(user=user, pk=pk)
        _may_manage(user)
        data = GroupMemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = group_member_add(
            actor=user,
            group=group,
            customer_ref=data.validated_data["customer"],
            relation=data.validated_data["relation"],
            is_head=data.validated_data["is_head"],
        )
        return Response(GroupMemberOutput(member).data, status=status.HTTP_201_CREATED)


class GroupMemberView(APIView):
    """Take a member out of the group: a credit manager."""

    @extend_schema(responses={204: None, **problem_responses(403, 404)})
    def delete(self, request: Request, pk: int, member_pk: int) -> Response:
        user = api_user(request)
        group = selectors.group_get(user=user, pk=pk)
        _may_manage(user)
        if not any(m.pk == member_pk for m in selectors.visible_members(user=user, group=group)):
            raise Http404
        group_member_remove(actor=user, group=group, member_id=member_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns: list[URLPattern] = [
    path("exposure-checks/", ExposureCheckView.as_view(), name="exposure-checks"),
    path(
        "customer-groups/",
        CustomerGroupViewSet.as_view({"get": "list", "post": "create"}),
        name="customer-group-list",
    ),
    path(
        "customer-groups/<id:pk>/",
        CustomerGroupViewSet.as_view({"get": "retrieve"}),
        name="customer-group-detail",
    ),
    path(
        "customer-groups/<id:pk>/members/",
        GroupMembersView.as_view(),
        name="customer-group-members",
    ),
    path(
        "customer-groups/<id:pk>/members/<id:member_pk>/",
        GroupMemberView.as_view(),
        name="customer-group-member",
    ),
]
