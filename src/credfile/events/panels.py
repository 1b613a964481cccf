"""Panels of an event's page that other apps add (the surveys about the event), registered
as the file page's sections are: the events app knows only this registry, never the apps.

A panel's `context(user, event)` gives its template's context, or None where the policy
(`credfile.core.permissions`) does not show it to this user: the registry says what a panel
shows, the policy who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from credfile.accounts.models import User
from credfile.events.models import CustomerEvent

PanelContext = Callable[[User, CustomerEvent], dict[str, Any] | None]


@dataclass(frozen=True)
class EventPanel:
    slug: str
    template: str
    order: int
    context: PanelContext


@dataclass(frozen=True)
class ShownPanel:
    slug: str
    template: str
    context: dict[str, Any]


_PANELS: dict[str, EventPanel] = {}


def register_event_panel(panel: EventPanel) -> None:
    """Add (or replace, on a reload) a panel of the event page."""
    _PANELS[panel.slug] = panel


def event_panels(user: User, event: CustomerEvent) -> list[ShownPanel]:
    """The panels this user sees on the event's page, in page order, with their context."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.slug)):
        context = panel.context(user, event)
        if context is not None:
            shown.append(ShownPanel(panel.slug, panel.template, context))
    return shown
