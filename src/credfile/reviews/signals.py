"""Keep a file's review state in step with the file between daily runs."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from credfile.customers.models import Customer


@receiver(post_save, sender=Customer, dispatch_uid="reviews_schedule_follows_customer")
def schedule_follows_customer(sender: type[Customer], instance: Customer, **kwargs: Any) -> None:
    # A new file gets its next-review date at once, and a file moved to another department
    # or manager appears in the right queue without waiting for the night's run. Bulk loads
    # (which send no signal) are picked up by that run.
    from credfile.reviews.services import schedules_refresh

    if kwargs.get("raw"):
        return
    schedules_refresh(customer_ids=[instance.pk])
