"""Rating a file from its page, deciding on proposals, and the proposals waiting."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from credfile.accounts.models import User
from credfile.core.permissions import (
    Section,
    can_decide_ratings,
    rating_decide_scope,
    rating_waiting_scope,
)
from credfile.customers.selectors import customer_get
from credfile.customers.views import section_response
from credfile.ratings.forms import DecisionForm, RatingForm
from credfile.ratings.models import Rating
from credfile.ratings.services import rating_decide, rating_propose


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required


@require_POST
@login_required
def rating_propose_view(request: HttpRequest, customer_pk: int) -> HttpResponse:
    user = _user(request)
    # Outside the reader's view of the ratings section, the file is not found.
    customer = customer_get(user=user, pk=customer_pk, section=Section.RATINGS, trace=False)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return section_response(
            request, user, customer.pk, Section.RATINGS, status=422, rating_form=form
        )
    try:
        rating = rating_propose(actor=user, customer=customer, assessed=form.cleaned_data)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            form.add_error(None, exc.messages)
        return section_response(
            request, user, customer.pk, Section.RATINGS, status=422, rating_form=form
        )
    if rating.is_current:
        messages.success(
            request, _("Rated %(grade)s: the grade in force stands.") % {"grade": rating.grade}
        )
    else:
        messages.success(
            request,
            _("Rated %(grade)s; the grade waits for another credit manager's approval.")
            % {"grade": rating.grade},
        )
    return section_response(request, user, customer.pk, Section.RATINGS)


@require_POST
@login_required
def rating_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    rating = get_object_or_404(Rating.objects.filter(rating_decide_scope(user)), pk=pk)
    form = DecisionForm(request.POST)
    back = reverse("customers:section", args=[rating.customer_id, Section.RATINGS])
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject."))
        return redirect(back)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        rating_decide(actor=user, rating=rating, approve=approve, note=form.cleaned_data["note"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    if approve:
        messages.success(
            request, _("Grade %(grade)s approved and in force.") % {"grade": rating.grade}
        )
    else:
        messages.success(request, _("Rating rejected; the grade in force stands."))
    return redirect((request.POST.get("next") == "list" and reverse("ratings:waiting")) or back)


@require_GET
@login_required
def waiting_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    waiting = (
        Rating.objects.filter(rating_waiting_scope(user))
        .select_related("customer", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    if not can_decide_ratings(user) and not waiting.exists():
        raise Http404
    page = list(waiting[:200])
    deciding = set(
        Rating.objects.filter(rating_decide_scope(user), pk__in=[r.pk for r in page]).values_list(
            "pk", flat=True
        )
    )
    return render(
        request,
        "ratings/waiting.html",
        {"ratings": page, "deciding": deciding, "total": waiting.count()},
    )
