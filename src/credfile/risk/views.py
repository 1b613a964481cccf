"""Risk pages: the watch list (and its CSV export), the risk rules and their edit form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from credfile.accounts.models import User
from credfile.core.errors import StaleVersion
from credfile.core.forms import apply_service_errors
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import can_manage_risk_rules, can_see_watch_list
from credfile.risk import selectors, services
from credfile.risk.choices import WatchStatus
from credfile.risk.display import reason_texts, rule_conditions, rule_measures
from credfile.risk.forms import RuleForm, WatchFilterForm
from credfile.risk.models import RiskRule


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _watch_user(request: HttpRequest) -> User:
    user = _user(request)
    # A 404, as for a file outside one's scope: the page does not exist for them.
    if not can_see_watch_list(user):
        raise Http404
    return user


def _rules_user(request: HttpRequest) -> User:
    user = _user(request)
    if not can_manage_risk_rules(user):
        raise Http404
    return user


def _filters(request: HttpRequest) -> tuple[WatchFilterForm, selectors.WatchFilters]:
    form = WatchFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or WatchStatus.ACTIVE
    rule = data.get("rule")
    department = data.get("department")
    return form, selectors.WatchFilters(
        status="" if status == "all" else status,
        rule=rule.pk if rule else None,
        department=department.pk if department else None,
        blocking=bool(data.get("blocking")),
        q=(data.get("q") or "").strip(),
    )


@never_cache
@login_required
def watch_list(request: HttpRequest) -> HttpResponse:
    user = _watch_user(request)
    form, filters = _filters(request)
    page = keyset_paginate(
        selectors.watch_list(user=user, filters=filters),
        order="-since",
        cursor=request.GET.get("cursor"),
        size=int(settings.CREDFILE_PAGE_SIZE),
    )
    entries = page.items
    overdue = selectors.overdue_of({e.customer_id for e in entries}, as_of=timezone.localdate())
    for entry in entries:
        entry.reason_texts = reason_texts(entry.reasons)  # type: ignore[attr-defined]
        entry.overdue = sorted(overdue.get(entry.customer_id, {}).items())  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("cursor", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "entries": entries,
        "query_string": params.urlencode(),
        "can_manage_rules": can_manage_risk_rules(user),
    }
    return render(request, "risk/watch_list.html", context)


@never_cache
@login_required
def watch_list_export(request: HttpRequest) -> HttpResponse:
    user = _watch_user(request)
    _form, filters = _filters(request)
    data = services.watch_list_export(actor=user, filters=filters, language=get_language())
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="watch-list-{stamp}.csv"'
    return response


@never_cache
@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    _rules_user(request)
    rules = list(selectors.rule_queryset())
    for rule in rules:
        rule.conditions = rule_conditions(rule)  # type: ignore[attr-defined]
        rule.measures = rule_measures(rule)  # type: ignore[attr-defined]
    return render(request, "risk/rules.html", {"rules": rules})


def _fields(form: RuleForm) -> tuple[dict[str, Any], int | None]:
    fields = dict(form.cleaned_data)
    version = fields.pop("version", None)
    for name in ("grade_at_or_below", "overdue_currency", "rating_cap", "note"):
        fields[name] = fields.get(name) or ""
    return fields, version


@never_cache
@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = _rules_user(request)
    rule = get_object_or_404(RiskRule, pk=pk) if pk is not None else None
    initial = RuleForm.initial_for(rule) if rule else None
    form = RuleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            fields, version = _fields(form)
            try:
                if rule is None:
                    services.rule_create(actor=user, fields=fields)
                else:
                    services.rule_update(
                        actor=user, rule=rule, fields=fields, expected_version=version
                    )
            except StaleVersion:
                form.add_error(
                    None,
                    _(
                        "Someone changed this rule after you opened it. "
                        "Reload the page and make your change again."
                    ),
                )
                status = 409
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Risk rule saved; it applies from the next run."))
                return redirect("risk:rules")
    return render(request, "risk/rule_form.html", {"rule": rule, "form": form}, status=status)
