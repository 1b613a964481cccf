"""Human-readable codes drawn from a locked counter."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from credfile.core.models import CodeSequence


@transaction.atomic
def next_value(name: str, *, count: int = 1) -> int:
    """Reserve `count` values of the named sequence and return the first one."""
    CodeSequence.objects.get_or_create(name=name)
    # The UPDATE takes the row lock, so two writers never get the same value.
    CodeSequence.objects.filter(name=name).update(value=F("value") + count)
    last = CodeSequence.objects.get(name=name).value
    return last - count + 1


def ensure_at_least(name: str, value: int) -> None:
    """Move a sequence forward past codes written by a bulk loader."""
    CodeSequence.objects.get_or_create(name=name)
    CodeSequence.objects.filter(name=name, value__lt=value).update(value=value)
