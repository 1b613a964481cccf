"""The surveys panel of an event's page: the responses about the event and their scores per
questionnaire, and sending a questionnaire to those who came."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from credfile.accounts.models import User
from credfile.core.permissions import event_survey_send_scope
from credfile.events.choices import EventStatus
from credfile.events.models import CustomerEvent
from credfile.events.panels import EventPanel, register_event_panel
from credfile.surveys.forms import AttendeeSendForm
from credfile.surveys.selectors import event_survey_figures, usable_questionnaires


def _panel(user: User, event: CustomerEvent) -> dict[str, Any] | None:
    figures = event_survey_figures(user=user, event=event)
    if figures is None:
        return None
    may_send = CustomerEvent.objects.filter(event_survey_send_scope(user), pk=event.pk).exists()
    began = event.starts_at <= timezone.now()
    context: dict[str, Any] = {
        "event": event,
        "figures": figures,
        "may_send": may_send,
        "can_send_now": may_send and began and event.status != EventStatus.CANCELLED,
    }
    if context["can_send_now"]:
        context["form"] = AttendeeSendForm(questionnaires=list(usable_questionnaires()))
    return context


def register() -> None:
    register_event_panel(
        EventPanel(slug="surveys", template="surveys/event_panel.html", order=10, context=_panel)
    )
