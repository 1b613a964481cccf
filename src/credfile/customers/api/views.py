"""REST API v1: credit files, and one generic view for the records kept in a file.

Reads go through the scoped selectors, so a file outside the caller's scope is a 404; writes go
through the services, which check the caller's right to change the file (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.accounts.models import User
from credfile.changes import services as changes
from credfile.changes.api.serializers import ChangeRequestOutput, SubmittedOutput
from credfile.changes.registry import target_for
from credfile.core.api import KeysetPagination
from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Action, Section, customer_scope, record_scope, scope_flag
from credfile.customers.api.serializers import (
    AddressInput,
    AddressOutput,
    ContactInput,
    ContactOutput,
    CustomerInput,
    CustomerListQuery,
    CustomerOutput,
    CustomerUpdateInput,
)
from credfile.customers.models import Address, Contact, Customer
from credfile.customers.selectors import SORTS, CustomerFilters, customer_get, customer_search
from credfile.customers.services import (
    address_create,
    contact_create,
    contacts_verify,
    customer_create,
    sensitive_reveal,
)


def api_user(request: Request) -> User:
    """The authenticated caller (the default IsAuthenticated permission has let them in)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def paginate(
    view: GenericAPIView[Any],
    queryset: models.QuerySet[Any],
    ordering: tuple[str, ...],
    serializer: type[serializers.BaseSerializer[Any]],
    context: dict[str, Any] | None = None,
) -> Response:
    """One keyset page of `queryset` in `ordering` (the last field breaks ties), serialised."""
    paginator = view.paginator
    assert isinstance(paginator, KeysetPagination)
    paginator.ordering = ordering  # a fresh paginator per request, so this is per request
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True, context=context or {}).data)


REVEAL_PARAMETER = OpenApiParameter(
    "reveal",
    bool,
    description=_(
        "Show sealed values (ID numbers, phones, bank accounts, personal amounts) in clear. "
        "Needs the reveal right for the file; every reveal is recorded in the audit trail."
    ),
)


def reveal_context(
    request: Request, customer: Customer, what: str, fields: list[str]
) -> dict[str, Any]:
    """Serializer context: reveal sealed values when asked for, checked and audited."""
    if request.query_params.get("reveal", "").lower() not in {"1", "true", "yes"}:
        return {}
    sensitive_reveal(actor=api_user(request), customer=customer, what=what, fields=fields)
    return {"reveal": True}


def customer_ordering(sort: str) -> tuple[str, str]:
    field = SORTS[sort]
    return (field, "-id" if field.startswith("-") else "id")


# --- credit files ------------------------------------------------------------------------------


class CustomerViewSet(viewsets.GenericViewSet[Customer]):
    """Customer credit files (客户信用档案) within your scope."""

    @extend_schema(
        parameters=[CustomerListQuery],
        responses={200: CustomerOutput, **problem_responses(400)},
    )
    def list(self, request: Request) -> Response:
        """Search and filter the credit files you may see."""
        query = CustomerListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        ordering = customer_ordering(params.pop("ordering"))
        user = request.user
        customers = customer_search(user=user, filters=CustomerFilters(**params)).annotate(
            sees_basic=scope_flag(customer_scope(user, Action.VIEW, section=Section.BASIC))
        )
        return paginate(self, customers.prefetch_related("tags"), ordering, CustomerOutput)

    @extend_schema(
        request=CustomerInput,
        responses={201: CustomerOutput, **problem_responses(400, 403, 409)},
    )
    def create(self, request: Request) -> Response:
        """Open a credit file. A similar name needs `confirm_similar_name`."""
        data = CustomerInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        tags = fields.pop("tags", None)
        confirm = fields.pop("confirm_similar_name", False)
        customer = customer_create(
            actor=api_user(request), fields=fields, tags=tags, confirm_similar_name=confirm
        )
        return Response(CustomerOutput(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[REVEAL_PARAMETER],
        responses={200: CustomerOutput, **problem_responses(403, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        customer = customer_get(user=request.user, pk=pk, use="api detail")
        context = reveal_context(
            request,
            customer,
            "api customer",
            ["id_number", "passport_number", "birth_date", "phone", "bank_account"],
        )
        context["sections"] = customer.access.sections  # type: ignore[attr-defined]
        return Response(CustomerOutput(customer, context=context).data)

    @extend_schema(
        request=CustomerUpdateInput,
        responses={
            200: CustomerOutput,
            202: SubmittedOutput,
            **problem_responses(400, 403, 404, 409),
        },
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change a credit file; send the `version` you loaded to be told of a conflict.

        Changes to identity, classification and other approval groups become change
        requests (202, with the requests); the other fields apply at once (200)."""
        customer = customer_get(user=request.user, pk=pk, trace=False)
        data = CustomerUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        tags = fields.pop("tags", None)
        confirm = fields.pop("confirm_similar_name", False)
        version = fields.pop("version", None)
        outcome = changes.customer_edit(
            actor=api_user(request),
            customer=customer,
            fields=fields,
            expected_version=version,
            tags=tags,
            confirm_similar_name=confirm,
        )
        if outcome.requests:
            body = {
                "detail": _("Submitted for approval."),
                "change_requests": ChangeRequestOutput(outcome.requests, many=True).data,
                "customer": CustomerOutput(outcome.customer).data,
            }
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(CustomerOutput(outcome.customer).data)

    @extend_schema(
        responses={
            202: ChangeRequestOutput,
            204: None,
            **problem_responses(400, 403, 404),
        }
    )
    def destroy(self, request: Request, pk: int) -> Response:
        """Delete a credit file and every record in it: a deletion request (202) when
        deletions need approval, else at once (204)."""
        customer = customer_get(user=request.user, pk=pk, trace=False)
        made = changes.customer_remove(actor=api_user(request), customer=customer)
        if made is not None:
            return Response(ChangeRequestOutput(made).data, status=status.HTTP_202_ACCEPTED)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- records kept in a credit file -------------------------------------------------------------


def fields_only(data: dict[str, Any]) -> dict[str, Any]:
    return {"fields": data}


@dataclass(frozen=True)
class ChildResource:
    """How one kind of record in a credit file is listed and created."""

    segment: str  # the URL segment under /customers/{id}/
    section: Section  # the part of the file the records belong to (the policy's unit)
    model: type[models.Model]
    input: type[serializers.Serializer[Any]]
    output: type[serializers.BaseSerializer[Any]]
    # The service: create(actor=, customer=, **arguments(validated input)).
    create: Callable[..., models.Model]
    ordering: tuple[str, ...]  # for keyset pagination; the last field must be unique
    prefetch: tuple[str | models.Prefetch, ...] = ()
    arguments: Callable[[dict[str, Any]], dict[str, Any]] = fields_only
    # Sealed attributes of the records, shown in clear only with ?reveal=true.
    sealed: tuple[str, ...] = ()


def _reason(request: Request) -> str:
    """The reason given with a correction or deletion, in the body or the query string."""
    data = request.data if isinstance(request.data, dict) else {}
    return str(data.get("reason") or request.query_params.get("reason", ""))


class ChildResourceSchema(AutoSchema):
    """Documents a CustomerChildViewSet from its resource's serializers."""

    def _resource(self) -> ChildResource:
        resource = getattr(self.view, "resource", None)
        assert isinstance(resource, ChildResource)
        return resource

    def get_request_serializer(self) -> Any:
        return self._resource().input

    def get_override_parameters(self) -> list[Any]:
        if self.method == "GET" and self._resource().sealed:
            return [REVEAL_PARAMETER]
        return []

    def get_response_serializers(self) -> Any:
        output = self._resource().output
        if self.method == "POST":
            return {201: output, **problem_responses(400, 403, 404)}
        if self.method == "PATCH":
            return {
                200: output,
                202: ChangeRequestOutput,
                **problem_responses(400, 403, 404),
            }
        if self.method == "DELETE":
            return {202: ChangeRequestOutput, 204: None, **problem_responses(400, 403, 404)}
        return {200: output, **problem_responses(400, 404)}


class CustomerChildViewSet(viewsets.GenericViewSet[Any]):
    """GET lists (newest first, paginated) and POST adds records of one kind to a credit file."""

    resource: ClassVar[ChildResource]
    schema = ChildResourceSchema()

    def _records(self, customer: Customer) -> models.QuerySet[Any]:
        manager = self.resource.model._default_manager
        return (
            manager.filter(customer=customer)
            .filter(record_scope(self.request.user, self.resource.section))
            .prefetch_related(*self.resource.prefetch)
        )

    def list(self, request: Request, customer_pk: int) -> Response:
        # Outside the section (a grant for other sections), the file is not found.
        customer = customer_get(
            user=request.user,
            pk=customer_pk,
            section=self.resource.section,
            use=f"api {self.resource.segment}",
        )
        context = (
            reveal_context(
                request, customer, f"api {self.resource.segment}", list(self.resource.sealed)
            )
            if self.resource.sealed
            else {}
        )
        return paginate(
            self,
            self._records(customer),
            self.resource.ordering,
            self.resource.output,
            context=context,
        )

    def create(self, request: Request, customer_pk: int) -> Response:
        # Found if viewable (the service answers 403 without the right to change it).
        customer = customer_get(user=request.user, pk=customer_pk, trace=False)
        data = self.resource.input(data=request.data)
        data.is_valid(raise_exception=True)
        record = self.resource.create(
            actor=api_user(request),
            customer=customer,
            **self.resource.arguments(dict(data.validated_data)),
        )
        if self.resource.prefetch:
            record = self._records(customer).get(pk=record.pk)
        return Response(self.resource.output(record).data, status=status.HTTP_201_CREATED)

    def _record(self, customer_pk: int, pk: int) -> tuple[Customer, models.Model]:
        # Found if the file is viewable, as for adding a record: the service answers 403
        # without the right to change the file.
        customer = customer_get(user=self.request.user, pk=customer_pk, trace=False)
        record = self.resource.model._default_manager.filter(customer=customer, pk=pk).first()
        if record is None:
            raise NotFound
        return customer, record

    def partial_update(self, request: Request, customer_pk: int, pk: int) -> Response:
        """Correct a record: a change request (202) when its group needs approval, else at
        once (200). Sending the values on file changes nothing."""
        customer, record = self._record(customer_pk, pk)
        target = target_for(record._meta.label_lower)
        data = self.resource.input(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        wrong = sorted(set(fields) - set(target.fields))
        if wrong:
            raise ValidationError({name: [_("This field cannot be corrected.")] for name in wrong})
        made = changes.record_change(
            actor=api_user(request),
            customer=customer,
            target=record,
            changes=fields,
            reason=_reason(request),
        )
        if made is not None:
            return Response(ChangeRequestOutput(made).data, status=status.HTTP_202_ACCEPTED)
        record = self._records(customer).get(pk=record.pk)
        return Response(self.resource.output(record).data)

    def destroy(self, request: Request, customer_pk: int, pk: int) -> Response:
        """Delete a record, giving the `reason`: a deletion request (202) when deletions
        need approval, else at once (204)."""
        customer, record = self._record(customer_pk, pk)
        made = changes.record_change(
            actor=api_user(request),
            customer=customer,
            target=record,
            delete=True,
            reason=_reason(request),
        )
        if made is not None:
            return Response(ChangeRequestOutput(made).data, status=status.HTTP_202_ACCEPTED)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @classmethod
    def urlpattern(cls) -> URLPattern:
        return path(
            f"customers/<id:customer_pk>/{cls.resource.segment}/",
            cls.as_view({"get": "list", "post": "create"}),
            name=f"customer-{cls.resource.segment}",
        )

    @classmethod
    def detail_urlpattern(cls) -> URLPattern:
        return path(
            f"customers/<id:customer_pk>/{cls.resource.segment}/<id:pk>/",
            cls.as_view({"patch": "partial_update", "delete": "destroy"}),
            name=f"customer-{cls.resource.segment}-detail",
        )


class ContactViewSet(CustomerChildViewSet):
    """Contact people of a customer."""

    resource = ChildResource(
        segment="contacts",
        section=Section.CONTACTS,
        model=Contact,
        input=ContactInput,
        output=ContactOutput,
        create=contact_create,
        ordering=("id",),
        sealed=("mobile", "phone"),
    )


class ContactVerifyView(GenericAPIView[Any]):
    """Mark a contact verified: checked with the customer today, by the caller."""

    serializer_class = ContactOutput

    @extend_schema(request=None, responses={200: ContactOutput, **problem_responses(403, 404)})
    def post(self, request: Request, customer_pk: int, pk: int) -> Response:
        customer = customer_get(user=request.user, pk=customer_pk, trace=False)
        contact = Contact.objects.filter(customer=customer, pk=pk).first()
        if contact is None:
            raise NotFound
        contacts_verify(actor=api_user(request), customer=customer, contacts=[contact.pk])
        contact.refresh_from_db()
        return Response(ContactOutput(contact).data)


class AddressViewSet(CustomerChildViewSet):
    """Postal addresses of a customer."""

    resource = ChildResource(
        segment="addresses",
        section=Section.CONTACTS,
        model=Address,
        input=AddressInput,
        output=AddressOutput,
        create=address_create,
        ordering=("id",),
    )
