"""The reasons of a watch entry, worded in the reader's language (stored as data)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from credfile.risk.choices import Condition, RatingCap


def reason_text(reason: dict[str, Any]) -> str:
    condition = reason.get("condition")
    if condition == Condition.GRADE:
        return _("grade %(value)s (at or below %(threshold)s)") % reason
    if condition == Condition.OVERDUE_90:
        return _("%(currency)s %(value)s overdue more than 90 days (above %(threshold)s)") % reason
    if condition == Condition.MAX_DBT:
        return _("paid %(value)s days beyond terms (above %(threshold)s)") % reason
    if condition == Condition.CAP:
        value = reason.get("value", "")
        label = RatingCap(value).label if value in RatingCap.values else value
        return _("rating capped: %(cap)s") % {"cap": label}
    return str(reason)


def reason_texts(reasons: list[dict[str, Any]]) -> list[str]:
    return [reason_text(r) for r in reasons or []]


def rule_conditions(rule: Any) -> list[str]:
    """What a rule asks, one line per condition."""
    parts = []
    if rule.grade_at_or_below:
        parts.append(_("grade %(grade)s or below") % {"grade": rule.grade_at_or_below})
    if rule.overdue_90_above is not None:
        parts.append(
            _("more than %(amount)s %(currency)s overdue more than 90 days")
            % {
                "amount": rule.overdue_90_above,
                "currency": rule.overdue_currency or _("in any currency"),
            }
        )
    if rule.max_dbt_above is not None:
        parts.append(_("paid more than %(days)d days beyond terms") % {"days": rule.max_dbt_above})
    if rule.rating_cap:
        parts.append(_("rating capped: %(cap)s") % {"cap": rule.get_rating_cap_display()})
    return parts


def rule_measures(rule: Any) -> list[str]:
    parts = [_("watch list")]
    if rule.block_credit:
        parts.append(_("new credit blocked"))
    if rule.review_within_months:
        parts.append(_("review within %(months)d months") % {"months": rule.review_within_months})
    return parts
