"""Rating a file from its page, deciding on proposals, and the proposals waiting."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from credfile.accounts.models import User
from credfile.core.permissions import (
    Section,
    can_decide_ratings,
    can_manage_scorecards,
    can_see_portfolio,
    can_see_scorecard_stability,
    portfolio_scope,
    rating_decide_scope,
    rating_waiting_scope,
    scorecard_publish_scope,
)
from credfile.customers.choices import Industry
from credfile.customers.selectors import customer_get
from credfile.customers.views import section_response
from credfile.ratings.charts import histogram_chart, roc_chart
from credfile.ratings.defaults import company_card, value_scale
from credfile.ratings.display import bin_text, cap_label, strategy
from credfile.ratings.fitting import FitOptions, default_mapping
from credfile.ratings.forms import (
    CardForm,
    DecisionForm,
    FitForm,
    FitVersionForm,
    IndustryRiskForm,
    RatingForm,
)
from credfile.ratings.inputs import INPUTS
from credfile.ratings.models import (
    IndustryRisk,
    Rating,
    ScorecardFit,
    ScorecardVersion,
    StabilityReport,
)
from credfile.ratings.services import (
    industry_risk_record,
    rating_decide,
    rating_propose,
    scorecard_draft,
    scorecard_fit_record,
    scorecard_publish,
    scorecard_version_from_fit,
)
from credfile.ratings.stability import (
    baseline_month,
    month_start,
    published_versions,
    stability_for,
)
from credfile.ratings.statistics import Scaling


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


# --- scorecards and the industry-risk table ---------------------------------------------------


@require_GET
@login_required
def scorecard_list(request: HttpRequest) -> HttpResponse:
    versions = ScorecardVersion.objects.select_related(
        "scorecard", "created_by", "approved_by"
    ).order_by("scorecard__customer_kind", "scorecard__key", "-number")
    return render(
        request,
        "ratings/scorecards.html",
        {"versions": versions, "may_manage": can_manage_scorecards(_user(request))},
    )


def _version_context(user: User, version: ScorecardVersion) -> dict[str, Any]:
    card = version.card
    rows = []
    for factor in card.factors:
        kind = INPUTS.get(factor.key)
        rows.append(
            {
                "key": factor.key,
                "label": factor.label or (str(kind.label) if kind else factor.key),
                "max": factor.max_points,
                "bins": [
                    (bin_text(factor.key, b.text(factor.closed)), b.points) for b in factor.bins
                ],
            }
        )
    publishable = ScorecardVersion.objects.filter(
        scorecard_publish_scope(user), pk=version.pk
    ).exists()
    return {
        "version": version,
        "card": card,
        "factors": rows,
        "caps": [
            {
                "label": cap_label(cap.key, cap.label),
                "input": str(INPUTS[cap.input].label) if cap.input in INPUTS else cap.input,
                "when": bin_text(cap.input, cap.when.text(cap.closed)),
                "grade": cap.max_grade or card.scale[-1].grade,
            }
            for cap in card.caps
        ],
        "may_manage": can_manage_scorecards(user),
        "publishable": publishable,
    }


@require_GET
@login_required
def scorecard_version(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ScorecardVersion.objects.select_related("scorecard"), pk=pk)
    return render(
        request, "ratings/scorecard_version.html", _version_context(_user(request), version)
    )


@login_required
def scorecard_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if not can_manage_scorecards(user):
        raise Http404
    base = get_object_or_404(ScorecardVersion.objects.select_related("scorecard"), pk=pk)
    form = CardForm(request.POST or None, card=base.card)
    if request.method == "POST" and form.is_valid():
        try:
            version = scorecard_draft(
                actor=user, base=base, card=form.new_card, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("Version %(number)d saved; another credit manager publishes it.")
                % {"number": version.number},
            )
            return redirect("ratings:scorecard-version", pk=version.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "ratings/scorecard_edit.html", {"base": base, "form": form}, status=status
    )


@require_POST
@login_required
def scorecard_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    version = get_object_or_404(
        ScorecardVersion.objects.filter(scorecard_publish_scope(user)), pk=pk
    )
    scorecard_publish(actor=user, version=version)
    messages.success(
        request,
        _("Version %(number)d is in use; new ratings are scored on it.")
        % {"number": version.number},
    )
    return redirect("ratings:scorecard-version", pk=version.pk)


@login_required
def industry_risk(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    may_manage = can_manage_scorecards(user)
    form = IndustryRiskForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                industry_risk_record(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("The industry's level is recorded."))
                return redirect("ratings:industry-risk")
    today = timezone.localdate()
    current: dict[str, IndustryRisk] = {}
    for risk in IndustryRisk.objects.filter(valid_from__lte=today).order_by(
        "industry", "valid_from"
    ):
        current[risk.industry] = risk
    rows = [(code, label, current.get(code)) for code, label in Industry.choices]
    later = IndustryRisk.objects.filter(valid_from__gt=today).order_by("valid_from")
    return render(
        request,
        "ratings/industry_risk.html",
        {"rows": rows, "later": later, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def value_matrix(request: HttpRequest) -> HttpResponse:
    """Counts of the files by credit grade × value grade (ratings in force), with the strategy
    each cell suggests: the portfolio of `portfolio_scope`."""
    user = _user(request)
    if not can_see_portfolio(user):
        raise Http404
    counts = {
        (row["grade"], row["value_grade"]): row["n"]
        for row in Rating.objects.filter(is_current=True)
        .filter(portfolio_scope(user, prefix="customer__"))
        .values("grade", "value_grade")
        .annotate(n=Count("id"))
        .order_by()
    }
    grades = [g.grade for g in company_card().scale]
    values = [g.grade for g in value_scale()]
    rows = [
        (
            grade,
            [(value, counts.get((grade, value), 0), strategy(value, grade)) for value in values],
        )
        for grade in grades
    ]
    unvalued = sum(n for (_g, v), n in counts.items() if not v)
    return render(
        request,
        "ratings/matrix.html",
        {"rows": rows, "values": values, "total": sum(counts.values()), "unvalued": unvalued},
    )


# --- statistical cards ------------------------------------------------------------------------


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@login_required
def fit_list(request: HttpRequest) -> HttpResponse:
    """The fits made, and a form to fit a card on an uploaded CSV (credit managers)."""
    user = _user(request)
    if not can_manage_scorecards(user):
        raise Http404
    form = FitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = form.cleaned_data
        options = FitOptions(
            target=data["target"].strip(),
            exclude=form.excluded(),
            test_size=data["test_size"],
            seed=data["seed"],
            scaling=Scaling(data["base_score"], data["base_odds"], data["pdo"]),
        )
        try:
            fit = scorecard_fit_record(
                actor=user, file_name=upload.name, content=upload.read(), options=options
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The card is fitted; its report is below."))
            return redirect("ratings:fit", pk=fit.pk)
    fits = ScorecardFit.objects.select_related("created_by")[:100]
    return render(
        request,
        "ratings/fits.html",
        {"form": form, "fits": fits},
        status=422 if request.method == "POST" else 200,
    )


def _reason(exclusion: dict[str, Any]) -> str:
    if exclusion["reason"] == "iv":
        return _("IV %(iv)s below the threshold") % {"iv": f"{exclusion['iv']:.4f}"}
    if exclusion["reason"] == "correlation":
        return _("WOE correlates %(r)s with %(other)s, kept before") % {
            "r": f"{exclusion['correlation']:.2f}",
            "other": exclusion["with"],
        }
    return _("coefficient %(beta)s not positive (collinearity)") % {
        "beta": f"{exclusion['coefficient']:.4f}"
    }


def _bin_shown(b: dict[str, Any]) -> str:
    """A numeric bin as an interval with ∞ for no bound; a value as it is."""
    if "lower" not in b:
        return str(b["value"])
    lower = "−∞" if b["lower"] is None else repr(b["lower"])
    upper = "+∞" if b["upper"] is None else repr(b["upper"])
    return f"[{lower}, {upper})"


def _fit_context(fit: ScorecardFit, form: FitVersionForm | None) -> dict[str, Any]:
    report = fit.report
    selected: list[str] = report["selected"]
    variables = [
        {
            "name": name,
            "iv": iv,
            "selected": name in selected,
            "reason": "" if name in selected else _reason(report["excluded"][name]),
            "bins": [
                {
                    **b,
                    "shown": _bin_shown(b),
                    "points": report["points"].get(name, {}).get(b["label"]),
                }
                for b in report["woe"][name]
            ],
        }
        for name, iv in report["iv"].items()
    ]
    charts = report.get("charts", {})
    parts = [
        {
            "key": part,
            "label": _("training part") if part == "train" else _("test part"),
            "rows": report["data"][part]["rows"],
            "bads": report["data"][part]["bad"],
            "metrics": report["metrics"][part],
            "histogram": histogram_chart(charts[part]["histogram"]) if part in charts else None,
            "roc": roc_chart(charts[part]["roc"]) if part in charts else None,
        }
        for part in ("train", "test")
    ]
    return {
        "fit": fit,
        "report": report,
        "variables": variables,
        "selected": selected,
        "parts": parts,
        "versions": fit.versions.select_related("scorecard").order_by("-number"),
        "form": form or FitVersionForm(variables=selected, initial_map=default_mapping(report)),
    }


@require_GET
@login_required
def fit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage_scorecards(_user(request)):
        raise Http404
    fit = get_object_or_404(ScorecardFit.objects.select_related("created_by"), pk=pk)
    return render(request, "ratings/fit.html", _fit_context(fit, None))


@require_POST
@login_required
def fit_version(request: HttpRequest, pk: int) -> HttpResponse:
    """The fitted card as a new version of a scorecard, waiting for another credit manager."""
    user = _user(request)
    if not can_manage_scorecards(user):
        raise Http404
    fit = get_object_or_404(ScorecardFit.objects.select_related("created_by"), pk=pk)
    form = FitVersionForm(
        request.POST, variables=fit.report["selected"], initial_map=default_mapping(fit.report)
    )
    if form.is_valid():
        try:
            version = scorecard_version_from_fit(
                actor=user,
                fit=fit,
                scorecard=form.cleaned_data["scorecard"],
                mapping=form.mapping(),
                scale=form.cleaned_data["scale"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(number)d saved; another credit manager publishes it.")
                % {"number": version.number},
            )
            return redirect("ratings:scorecard-version", pk=version.pk)
    return render(request, "ratings/fit.html", _fit_context(fit, form), status=422)


@require_GET
@login_required
def stability_page(request: HttpRequest) -> HttpResponse:
    """The monthly stability reports recorded, per card, and this month so far."""
    if not can_see_scorecard_stability(_user(request)):
        raise Http404
    reports = list(
        StabilityReport.objects.select_related("scorecard", "version").order_by(
            "scorecard__customer_kind", "scorecard__key", "-month"
        )[:600]
    )
    chosen = None
    wanted = request.GET.get("report", "")
    if wanted.isdigit():
        chosen = next((r for r in reports if r.pk == int(wanted)), None)
    current = stability_for(month_start(timezone.localdate()))
    cards = []
    for version in published_versions():
        cards.append(
            {
                "scorecard": version.scorecard,
                "version": version,
                "baseline": baseline_month(version),
                "now": next((m for m in current if m.version.pk == version.pk), None),
                "reports": [r for r in reports if r.scorecard_id == version.scorecard_id],
            }
        )
    chosen = chosen or (reports[0] if reports else None)
    bins = [
        {**b, "expected_pct": 100 * b["expected_share"], "actual_pct": 100 * b["actual_share"]}
        for b in (chosen.bins if chosen else [])
    ]
    return render(
        request,
        "ratings/stability.html",
        {"cards": cards, "chosen": chosen, "chosen_bins": bins},
    )
