"""What the policy answers about the signed-in user, for the navigation and links of every
page: templates ask these flags, never a role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from credfile.core import permissions


class _Policy:
    def __init__(self, user: Any) -> None:
        self.can_audit = permissions.can_audit(user)
        self.can_see_inspections = permissions.can_see_inspections(user)
        self.can_open_files = permissions.can_open_files(user)
        self.can_see_portfolio = permissions.can_see_portfolio(user)
        self.can_see_overdue_list = permissions.can_see_overdue_list(user)
        self.can_import = permissions.can_import(user)
        self.can_decide_ratings = permissions.can_decide_ratings(user)
        self.can_see_watch_list = permissions.can_see_watch_list(user)
        self.can_see_complaint_list = permissions.can_see_complaint_list(user)
        self.can_see_surveys = permissions.can_see_surveys(user)
        self.can_see_events = permissions.can_see_events(user)
        self.can_manage_risk_rules = permissions.can_manage_risk_rules(user)
        self.can_see_exposure_refusals = permissions.can_see_exposure_refusals(user)
        self.can_manage_scorecards = permissions.can_manage_scorecards(user)
        self.can_see_scorecard_stability = permissions.can_see_scorecard_stability(user)
        self.can_see_groups = permissions.can_see_groups(user)
        self.can_see_retention_rules = permissions.can_see_retention_rules(user)
        self.can_see_due_list = permissions.can_see_due_list(user)


def policy(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"policy": SimpleLazyObject(lambda: _Policy(user))}
