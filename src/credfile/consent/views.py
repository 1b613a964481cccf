"""Consent pages: withdrawing a consent from the file's consent section, and the credit
report (信用报告), which an individual's consent allows."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.consent.services import ConsentMissing, consent_withdraw, require_consent
from credfile.core.permissions import Action, Section
from credfile.customers.selectors import customer_get
from credfile.customers.services import record_report_use
from credfile.customers.views import section_response
from credfile.financials.report import latest_ratios
from credfile.transactions.receivables import ageing_buckets, file_figures

NO_AMOUNT = Decimal("0.00")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE)
    consent = get_object_or_404(customer.consents, pk=consent_pk)
    error = None
    try:
        consent_withdraw(actor=user, consent=consent, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return section_response(
        request,
        user,
        pk,
        Section.CONSENTS,
        status=422 if error else 200,
        withdraw_error=error,
        saved=None if error else _("Consent withdrawn"),
    )


@never_cache
@login_required
def credit_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The credit report (信用报告) of a file; an individual's needs their consent."""
    user = _user(request)
    # The report's own record (with its consent) is the trace of this read.
    customer = customer_get(user=user, pk=pk, action=Action.REPORT, trace=False)
    try:
        consent = require_consent(customer=customer, purpose="credit_report")
    except ConsentMissing as exc:
        return render(
            request,
            "consent/report_refused.html",
            {
                "customer": customer,
                "message": str(exc),
                # A usage grant may not open the consents: then no link that leads nowhere.
                "sees_consents": customer.access.sees(Section.CONSENTS),  # type: ignore[attr-defined]
            },
            status=403,
        )
    record_report_use(actor=user, customer=customer, consent=consent)
    today = timezone.localdate()
    access = customer.access  # type: ignore[attr-defined]
    # Each part of the report comes from one section, shown only to whoever sees it.
    sees_transactions = access.sees(Section.TRANSACTIONS)
    sees_financials = access.sees(Section.FINANCIALS)
    receivables = file_figures(customer.pk, as_of=today) if sees_transactions else []
    buckets = ageing_buckets()
    context = {
        "customer": customer,
        "consent": consent,
        # The figures of the file's transactions section, from the same engine call.
        "receivables": receivables,
        # A currency with payments in the period but nothing open has no ageing: zeros.
        "ageing_rows": [
            (f.currency, b, f.ageing.get(b.key, NO_AMOUNT)) for f in receivables for b in buckets
        ],
        "ratios": latest_ratios(customer) if sees_financials else None,
        "sees_transactions": sees_transactions,
        "sees_financials": sees_financials,
        "today": today,
        "access": access,
    }
    return render(request, "consent/report.html", context)
