from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    APPRECIATION = "appreciation", _("Customer appreciation event")
    TRAINING = "training", _("Training session")
    OTHER = "other", _("Other event")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for replies")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


# The event's life: planned → open → held, or cancelled before it is held.
EVENT_TRANSITIONS: dict[str, frozenset[str]] = {
    EventStatus.PLANNED: frozenset({EventStatus.OPEN, EventStatus.CANCELLED}),
    EventStatus.OPEN: frozenset({EventStatus.HELD, EventStatus.CANCELLED}),
    EventStatus.HELD: frozenset(),
    EventStatus.CANCELLED: frozenset(),
}

# An invitation's: invited → accepted / declined (a reply may change before the event),
# then attended / no-show once the event has begun.
REPLIES = frozenset({InvitationStatus.ACCEPTED, InvitationStatus.DECLINED})
ATTENDANCE = frozenset({InvitationStatus.ATTENDED, InvitationStatus.NO_SHOW})
INVITATION_TRANSITIONS: dict[str, frozenset[str]] = {
    InvitationStatus.INVITED: REPLIES | ATTENDANCE,
    InvitationStatus.ACCEPTED: frozenset({InvitationStatus.DECLINED}) | ATTENDANCE,
    InvitationStatus.DECLINED: frozenset({InvitationStatus.ACCEPTED}),
    InvitationStatus.ATTENDED: frozenset({InvitationStatus.NO_SHOW}),
    InvitationStatus.NO_SHOW: frozenset({InvitationStatus.ATTENDED}),
}
# The invitations that take a place (capacity counts them).
TAKING_A_PLACE = frozenset(InvitationStatus.values) - {InvitationStatus.DECLINED}
