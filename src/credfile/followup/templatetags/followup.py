"""Display of the follow-up columns: the kind of an action by its name, days past due."""

from __future__ import annotations

import datetime

from django import template

from credfile.followup.choices import ActionKind

register = template.Library()


@register.filter
def action_label(kind: str | None) -> str:
    if not kind:
        return ""
    try:
        return str(ActionKind(kind).label)
    except ValueError:
        return kind


@register.filter
def days_past_due(due: datetime.date, today: datetime.date) -> int:
    return max((today - due).days, 0)
