"""The reviews section of the file page (its data comes from the `reviews` template tags)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from credfile.core.permissions import Section as Policy
from credfile.customers.sections import Section, register_section


def register() -> None:
    register_section(
        Section(slug=Policy.REVIEWS, title=_("Reviews"), template="reviews/section.html", order=70)
    )
