"""Rating a customer: propose a score and grade with its basis, and decide on proposals.

A proposal whose grade equals the grade in force takes effect at once (nothing changes for
anyone relying on the grade); any other grade — a first one included — waits for a credit
manager other than its proposer. Rating an individual needs their consent to a credit
assessment. Every rating and decision is one transaction with its audit event.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditEvent
from credfile.audit.services import audit_record, audit_record_many
from credfile.complaints.models import Complaint
from credfile.consent.choices import ConsentPurpose
from credfile.consent.models import Consent
from credfile.core import permissions as core_permissions
from credfile.core.planner import BULK_ROWS, refresh_statistics
from credfile.customers.choices import CustomerKind
from credfile.customers.models import Customer
from credfile.financials.models import FinancialStatement
from credfile.ratings.cards import Card, Grade, Scored, card_problems, card_to_data, score
from credfile.ratings.choices import RatingStatus, RatingTrigger, VersionSource, VersionStatus
from credfile.ratings.defaults import value_card, value_card_with_complaints
from credfile.ratings.facts import ASSESSED, rating_inputs
from credfile.ratings.fitting import (
    FitInputError,
    FitOptions,
    card_from_fit,
    fit_table,
    mapping_problems,
    read_table,
)
from credfile.ratings.inputs import INPUTS
from credfile.ratings.models import (
    IndustryRisk,
    Rating,
    Scorecard,
    ScorecardFit,
    ScorecardVersion,
)
from credfile.ratings.statistics import ScorecardError
from credfile.reviews.models import Review
from credfile.transactions.models import Invoice, Payment


class RatingRefused(ValidationError):
    """A rating that may not be made (no consent, no card), with the reason."""


def cards_in_use() -> dict[str, ScorecardVersion]:
    """{customer kind: the published version of its default card}."""
    return {
        v.scorecard.customer_kind: v
        for v in ScorecardVersion.objects.filter(
            status=VersionStatus.PUBLISHED, scorecard__is_default=True
        ).select_related("scorecard")
    }


def value_card_in_use() -> Card:
    """The value card: the shipped one, or, where `CREDFILE_VALUE_CARD_COMPLAINTS` is on,
    the one in which the file's complaints count (docs/ratings.md)."""
    if settings.CREDFILE_VALUE_CARD_COMPLAINTS:
        return value_card_with_complaints()
    return value_card()


def clean_assessed(values: Mapping[str, str]) -> dict[str, str]:
    """The assessed inputs a user gave, each one of its input's choices (empty ones dropped)."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if not value:
            continue
        kind = INPUTS.get(key)
        if kind is None or key not in ASSESSED:
            errors[key] = [_("No such assessed factor.")]
        elif value not in kind.choices:
            errors[key] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(kind.choices)}]
        else:
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _consented(customers: list[Customer], as_of: datetime.date) -> set[int]:
    """The individuals among `customers` with a valid consent to a credit assessment."""
    ids = [c.pk for c in customers if c.kind == CustomerKind.INDIVIDUAL]
    if not ids:
        return set()
    day = as_of
    return set(
        Consent.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
            customer_id__in=ids,
            given_on__lte=day,
            purpose=ConsentPurpose.CREDIT_ASSESSMENT,
        ).values_list("customer_id", flat=True)
    )


def _basis(
    scored: Scored, assessed: Mapping[str, Any], version: ScorecardVersion
) -> dict[str, Any]:
    basis = scored.as_basis()
    basis["version"] = {"id": version.pk, "card": version.scorecard.key, "number": version.number}
    basis["assessed"] = dict(assessed)
    return basis


def _new_rating(
    *,
    actor: User | None,
    customer: Customer,
    version: ScorecardVersion,
    scored: Scored,
    value: Scored,
    assessed: Mapping[str, Any],
    as_of: datetime.date,
    trigger: str,
    current_grade: str,
) -> Rating:
    rating = Rating(
        customer=customer,
        version=version,
        as_of=as_of,
        score=scored.score.quantize(Decimal("0.01")),
        score_grade=scored.score_grade,
        grade=scored.grade,
        previous_grade=current_grade,
        basis=_basis(scored, assessed, version) | {"value": value.as_basis()},
        value_score=value.score.quantize(Decimal("0.01")),
        value_grade=value.grade,
        missing=sum(1 for f in scored.factors if f.missing),
        trigger=trigger,
        proposed_by=actor,
    )
    if current_grade and scored.grade == current_grade:
        # The grade in force stands: the new basis replaces the old one at once.
        rating.status = RatingStatus.APPROVED
        rating.is_current = True
        # No decider and no note: the page says "grade unchanged" in the reader's language.
        rating.decided_at = timezone.now()
    return rating


def _snapshot(rating: Rating) -> dict[str, Any]:
    return {
        "grade": rating.grade,
        "score": str(rating.score),
        "score_grade": rating.score_grade,
        "previous_grade": rating.previous_grade,
        "status": rating.status,
        "card": rating.basis.get("version", {}),
        "as_of": rating.as_of.isoformat(),
        "trigger": rating.trigger,
    }


@transaction.atomic
def rating_propose(
    *,
    actor: User,
    customer: Customer,
    assessed: Mapping[str, str] | None = None,
    trigger: str = RatingTrigger.MANUAL,
    as_of: datetime.date | None = None,
) -> Rating:
    """Score the file on its card and record the proposal (or, grade unchanged, the rating)."""
    day = as_of or timezone.localdate()
    locked = (
        Customer.objects.select_for_update()
        .filter(core_permissions.rating_scope(actor))
        .filter(pk=customer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not rate this customer."))
    if locked.kind == CustomerKind.INDIVIDUAL and locked.pk not in _consented([locked], day):
        raise RatingRefused(
            _(
                "%(name)s has given no valid consent to “%(purpose)s”. Record the signed consent "
                "first; without it this use of personal information is not allowed."
            )
            % {"name": locked.name, "purpose": ConsentPurpose.CREDIT_ASSESSMENT.label}
        )
    version = cards_in_use().get(locked.kind)
    if version is None:
        raise RatingRefused(_("No scorecard is in use for this kind of customer."))
    given = clean_assessed(assessed or {})
    inputs = rating_inputs([locked], as_of=day, assessed={locked.pk: given})[locked.pk]
    scored = score(version.card, inputs)
    value = score(value_card_in_use(), inputs)
    kept = {k: inputs[k].value for k in ASSESSED if k in inputs}
    current = Rating.objects.filter(customer=locked, is_current=True).first()
    _supersede_proposals([locked.pk])
    rating = _new_rating(
        actor=actor,
        customer=locked,
        version=version,
        scored=scored,
        value=value,
        assessed=kept,
        as_of=day,
        trigger=trigger,
        current_grade=current.grade if current else "",
    )
    if rating.is_current and current is not None:
        Rating.objects.filter(pk=current.pk).update(is_current=False)
    rating.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=rating,
        customer_id=locked.pk,
        after=_snapshot(rating),
    )
    return rating


def _supersede_proposals(customer_ids: list[int]) -> None:
    Rating.objects.filter(customer_id__in=customer_ids, status=RatingStatus.PROPOSED).update(
        # Rejected by no one: replaced (the page says so in the reader's language).
        status=RatingStatus.REJECTED,
        decided_at=timezone.now(),
    )


@transaction.atomic
def rating_decide(*, actor: User, rating: Rating, approve: bool, note: str = "") -> Rating:
    """Approve or reject a proposal: a credit manager, not its proposer."""
    locked = (
        Rating.objects.select_for_update()
        .filter(core_permissions.rating_decide_scope(actor))
        .filter(pk=rating.pk)
        .first()
    )
    if locked is None:
        if rating.proposed_by_id == actor.pk:
            raise PermissionDenied(
                _("A rating you proposed is approved by another credit manager.")
            )
        raise PermissionDenied(_("You may not decide on this rating."))
    if not approve and not note.strip():
        raise ValidationError({"note": [_("Say why the rating is rejected.")]})
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    if approve:
        Rating.objects.filter(customer_id=locked.customer_id, is_current=True).update(
            is_current=False
        )
        locked.status = RatingStatus.APPROVED
        locked.is_current = True
    else:
        locked.status = RatingStatus.REJECTED
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE if approve else AuditAction.REJECT,
        obj=locked,
        customer_id=locked.customer_id,
        after=_snapshot(locked) | {"note": locked.decision_note},
    )
    return locked


# --- everyone at once ----------------------------------------------------------------------


@dataclass
class BatchResult:
    rated: int = 0
    unchanged: int = 0
    proposed: int = 0
    no_consent: int = 0
    no_card: int = 0


BATCH = 2000


def rate_all(
    *,
    actor: User,
    as_of: datetime.date | None = None,
    scope: Q | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Re-rate every file (or those in `scope`) on its card, in batches of `BATCH` files:
    a fixed number of queries per batch, bulk inserts, one audit event per rating. Grades
    that stay in force at once; changed and first grades wait for approval."""
    if not core_permissions.can_rate_in_batch(actor):
        raise PermissionDenied(_("Re-rating every file is for credit managers."))
    result = _rate_files(
        actor=actor, as_of=as_of, scope=scope, progress=progress, trigger=RatingTrigger.BATCH
    )
    if result.rated >= BULK_ROWS:
        refresh_statistics(Rating, AuditEvent)
    return result


def _rate_files(
    *,
    actor: User | None,
    as_of: datetime.date | None,
    scope: Q | None,
    progress: Callable[[int, int], None] | None,
    trigger: str | Mapping[int, str],
) -> BatchResult:
    day = as_of or timezone.localdate()
    cards = cards_in_use()
    result = BatchResult()
    files = Customer.objects.filter(scope or Q()).order_by("pk")
    total = files.count()
    last = 0
    done = 0
    while True:
        batch = list(files.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        last = batch[-1].pk
        with transaction.atomic():
            _rate_batch(actor, batch, day, cards, result, trigger)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return result


def _rate_batch(
    actor: User | None,
    batch: list[Customer],
    day: datetime.date,
    cards: dict[str, ScorecardVersion],
    result: BatchResult,
    trigger: str | Mapping[int, str],
) -> None:
    consented = _consented(batch, day)
    rateable = []
    for customer in batch:
        if customer.kind not in cards:
            result.no_card += 1
        elif customer.kind == CustomerKind.INDIVIDUAL and customer.pk not in consented:
            result.no_consent += 1
        else:
            rateable.append(customer)
    if not rateable:
        return
    ids = [c.pk for c in rateable]
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    inputs = rating_inputs(rateable, as_of=day)
    current = dict(
        Rating.objects.filter(customer_id__in=ids, is_current=True).values_list(
            "customer_id", "grade"
        )
    )
    cached = {kind: version.card for kind, version in cards.items()}
    worth = value_card_in_use()
    new = []
    for customer in rateable:
        scored = score(cached[customer.kind], inputs[customer.pk])
        found = inputs[customer.pk]
        rating = _new_rating(
            actor=actor,
            customer=customer,
            version=cards[customer.kind],
            scored=scored,
            value=score(worth, found),
            assessed={k: found[k].value for k in ASSESSED if k in found},
            as_of=day,
            trigger=trigger if isinstance(trigger, str) else trigger[customer.pk],
            current_grade=current.get(customer.pk, ""),
        )
        new.append(rating)
    _supersede_proposals(ids)
    stays = [r.customer_id for r in new if r.is_current]
    Rating.objects.filter(customer_id__in=stays, is_current=True).update(is_current=False)
    Rating.objects.bulk_create(new)
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        objects=list(new),
        after=[_snapshot(r) for r in new],
    )
    result.rated += len(new)
    result.unchanged += len(stays)
    result.proposed += len(new) - len(stays)


# --- scorecards and the industry-risk table --------------------------------------------------


@transaction.atomic
def scorecard_draft(
    *, actor: User, base: ScorecardVersion, card: Card, note: str
) -> ScorecardVersion:
    """A new version of `base`'s card, waiting for another credit manager to publish it."""
    if not core_permissions.can_manage_scorecards(actor):
        raise PermissionDenied(_("Scorecards are changed by credit managers."))
    problems = card_problems(card, known_inputs=list(INPUTS))
    if card.customer_kind != base.scorecard.customer_kind:
        problems.append(_("A card keeps the kind of customer it rates."))
    if problems:
        raise ValidationError({"definition": problems})
    definition = card_to_data(card)
    if definition == base.definition:
        raise ValidationError({"definition": [_("Nothing changed: this is the card as it is.")]})
    if not note.strip():
        raise ValidationError({"note": [_("Say what changed and why.")]})
    scorecard = Scorecard.objects.select_for_update().get(pk=base.scorecard_id)
    number = (scorecard.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ScorecardVersion.objects.create(
        scorecard=scorecard,
        number=number,
        definition=definition,
        status=VersionStatus.PENDING,
        source=VersionSource.EXPERT,
        note=note.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=version,
        after={"scorecard": scorecard.key, "number": number, "note": version.note},
    )
    return version


@transaction.atomic
def scorecard_publish(*, actor: User, version: ScorecardVersion) -> ScorecardVersion:
    """Put a waiting version in use (a credit manager other than its author); the version
    in use until then is retired, and the ratings made on it keep it."""
    locked = (
        ScorecardVersion.objects.select_for_update()
        .filter(core_permissions.scorecard_publish_scope(actor))
        .filter(pk=version.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(
            _("A card version is published by a credit manager other than its author.")
        )
    ScorecardVersion.objects.filter(
        scorecard_id=locked.scorecard_id, status=VersionStatus.PUBLISHED
    ).update(status=VersionStatus.RETIRED)
    locked.status = VersionStatus.PUBLISHED
    locked.approved_by = actor
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "published_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        obj=locked,
        after={"scorecard": locked.scorecard.key, "number": locked.number, "status": "published"},
    )
    return locked


@transaction.atomic
def industry_risk_record(
    *, actor: User, industry: str, level: str, valid_from: datetime.date, basis: str
) -> IndustryRisk:
    """A level of an industry's market conditions from a date on."""
    if not core_permissions.can_manage_scorecards(actor):
        raise PermissionDenied(_("The industry-risk table is kept by credit managers."))
    if not basis.strip():
        raise ValidationError({"basis": [_("Say what the level rests on.")]})
    if IndustryRisk.objects.filter(industry=industry, valid_from=valid_from).exists():
        raise ValidationError(
            {"valid_from": [_("This industry has a level from this date already.")]}
        )
    risk = IndustryRisk(
        industry=industry,
        level=level,
        valid_from=valid_from,
        basis=basis.strip(),
        recorded_by=actor,
    )
    risk.full_clean()
    risk.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=risk,
        after={"industry": industry, "level": level, "valid_from": valid_from.isoformat()},
    )
    return risk


# --- re-rating when a file's data changes ------------------------------------------------------


COMPLAINT_INPUTS = frozenset(
    {"complaints_12m", "open_complaints", "overdue_complaints", "median_resolution_hours"}
)


def complaints_count() -> bool:
    """Whether a rating reads the file's complaints: the value card that counts them, or a
    credit card in use with a factor or cap on a complaint input."""
    if settings.CREDFILE_VALUE_CARD_COMPLAINTS:
        return True
    for version in cards_in_use().values():
        card = version.card
        read = {f.key for f in card.factors} | {c.input for c in card.caps}
        if read & COMPLAINT_INPUTS:
            return True
    return False


def files_to_rerate() -> dict[int, str]:
    """{customer id: occasion} for the rated files whose data changed since the rating in
    force was made: a new statement, a review, new invoices or payments, or — where ratings
    read them — a complaint recorded or moved on (in that order of precedence). One query
    per kind of data over the files with a rating in force."""
    rated = Rating.objects.filter(is_current=True)
    if not rated.exists():
        return {}
    changed: dict[int, str] = {}
    # Since the latest rating in force or waiting: a change already rated waits for its
    # approval, it is not proposed again every day.
    latest = Rating.objects.filter(
        customer_id=OuterRef("customer_id"),
        status__in=[RatingStatus.APPROVED, RatingStatus.PROPOSED],
    ).order_by("-proposed_at")
    after = Subquery(latest.values("proposed_at")[:1])
    sources: list[tuple[str, Any, str]] = [
        (RatingTrigger.STATEMENTS, FinancialStatement.objects, "created_at"),
        (RatingTrigger.REVIEW, Review.objects, "completed_at"),
        (RatingTrigger.RECEIVABLES, Invoice.objects, "created_at"),
        (RatingTrigger.RECEIVABLES, Payment.objects, "created_at"),
    ]
    if complaints_count():
        sources.append((RatingTrigger.COMPLAINTS, Complaint.objects, "updated_at"))
    for trigger, manager, stamp in sources:
        ids = (
            manager.filter(customer_id__in=rated.values("customer_id"))
            .annotate(rated_at=after)
            .filter(**{f"{stamp}__gt": F("rated_at")})
            .values_list("customer_id", flat=True)
            .distinct()
        )
        for customer_id in ids:
            changed.setdefault(customer_id, trigger)
    return changed


def rerate_changed(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily re-rating: each file whose data changed since its rating in force, on its
    card, as credfile (no proposer). An unchanged grade stays in force with the new basis; a
    changed one waits for a credit manager."""
    due = files_to_rerate()
    if not due:
        return {"rated": 0, "unchanged": 0, "proposed": 0}
    result = _rate_files(
        actor=None, as_of=today, scope=Q(pk__in=list(due)), progress=None, trigger=due
    )
    return {"rated": result.rated, "unchanged": result.unchanged, "proposed": result.proposed}


# --- statistical cards: a fit, and a version made from it ---------------------------------------

MAX_FIT_ROWS = 200_000


def scorecard_fit_record(
    *, actor: User, file_name: str, content: bytes, options: FitOptions
) -> ScorecardFit:
    """Fit a card on an uploaded CSV of past customers (the fit of `credfile scorecard fit`)
    and keep its report, the file's name and SHA-256 — not its rows. The fit runs before the
    transaction that records it, so no lock is held while it computes."""
    if not core_permissions.can_manage_scorecards(actor):
        raise PermissionDenied(_("Scorecards are fitted by credit managers."))
    try:
        frame = read_table(io.BytesIO(content), file_name)
        if len(frame) > MAX_FIT_ROWS:
            raise FitInputError(
                _("%(path)s has %(rows)s rows; a fit on this page takes at most %(max)s.")
                % {"path": file_name, "rows": len(frame), "max": MAX_FIT_ROWS}
            )
        report = fit_table(frame, options, name=file_name)
    except FitInputError as exc:
        raise ValidationError({exc.field: [str(exc)]}) from None
    except ScorecardError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return _fit_save(
        actor=actor,
        file_name=file_name,
        content=content,
        rows=len(frame),
        target=options.target,
        report=report,
    )


@transaction.atomic
def _fit_save(
    *, actor: User, file_name: str, content: bytes, rows: int, target: str, report: dict[str, Any]
) -> ScorecardFit:
    fit = ScorecardFit.objects.create(
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        rows=rows,
        target=target,
        report=report,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=fit,
        after={
            "file": file_name,
            "sha256": fit.sha256,
            "rows": fit.rows,
            "target": target,
            "selected": report["selected"],
            "metrics": report["metrics"],
        },
    )
    return fit


@transaction.atomic
def scorecard_version_from_fit(
    *,
    actor: User,
    fit: ScorecardFit,
    scorecard: Scorecard,
    mapping: Mapping[str, str],
    scale: tuple[Grade, ...] | None,
    note: str,
) -> ScorecardVersion:
    """A fitted card as a new version of `scorecard` (source statistical), waiting for a
    credit manager other than its author to publish it: the fit's variables read the rating
    inputs they are mapped to; the card keeps the caps of the version in use."""
    if not core_permissions.can_manage_scorecards(actor):
        raise PermissionDenied(_("Scorecards are changed by credit managers."))
    if not note.strip():
        raise ValidationError({"note": [_("Say what changed and why.")]})
    problems = mapping_problems(fit.report, dict(mapping))
    if problems:
        raise ValidationError({"mapping": problems})
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    base = (
        locked.versions.filter(status=VersionStatus.PUBLISHED).first()
        or locked.versions.order_by("-number").first()
    )
    if base is None:
        raise ValidationError({"scorecard": [_("This scorecard has no version to build on.")]})
    card = card_from_fit(fit.report, mapping=dict(mapping), base=base.card, scale=scale)
    problems = card_problems(card, known_inputs=list(INPUTS))
    if problems:
        raise ValidationError({"scale" if scale else "definition": problems})
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ScorecardVersion.objects.create(
        scorecard=locked,
        number=number,
        definition=card_to_data(card),
        status=VersionStatus.PENDING,
        source=VersionSource.STATISTICAL,
        note=note.strip(),
        created_by=actor,
        fit=fit,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=version,
        after={
            "scorecard": locked.key,
            "number": number,
            "note": version.note,
            "source": VersionSource.STATISTICAL.value,
            "fit": fit.pk,
            "sha256": fit.sha256,
            "mapping": dict(mapping),
        },
    )
    return version
