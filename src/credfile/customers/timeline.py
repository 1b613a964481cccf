"""One timeline per file: every service record, note, complaint, collection action, review,
rating, limit request and event of a file, newest first, in one list filterable by kind.

Each app registers a *source* from its `AppConfig.ready`, as it registers its file-page
section (`customers/sections.py`): `register_timeline_source(kind, label, section, source)`.
A source is `source(user, customer, before, limit) -> list[TimelineEntry]`: the file's newest
`limit` entries of its kind strictly before the keyset `before`, read in one query on its own
index. The customers app knows only this registry, never the apps.

Who sees a kind is the policy's answer: a source names the file-page section its records
belong to (`core.permissions.Section`), and a reader sees only the kinds of the sections
`customer_get` found they may see (`access.sees`), so a usage grant naming other sections
shows none of them.

The page is a keyset over (when, kind, id), newest first: each visible source gives its first
`limit + 1` entries before the key, the lists are merged, and the first `limit` are the page;
the last one's key is the next page's `before`. One query per source, whatever the number of
entries.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q
from django.utils import timezone

from credfile.core.permissions import Section as Policy

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Before:
    """The keyset of a timeline page: entries strictly older than (when, kind, id)."""

    when: datetime
    kind: str
    id: int

    def encode(self) -> str:
        raw = f"{self.when.isoformat()}|{self.kind}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Before:
        """The keyset from its text; ValueError for anything that is not one."""
        try:
            padded = value + "=" * (-len(value) % 4)
            raw = base64.urlsafe_b64decode(padded.encode()).decode()
            when_text, kind, id_text = raw.split("|")
            when = datetime.fromisoformat(when_text)
            pk = int(id_text)
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("not a timeline position") from exc
        if timezone.is_naive(when) or pk < 0 or not kind:
            raise ValueError("not a timeline position")
        return cls(when=when, kind=kind, id=pk)


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a file's life, as the timeline shows it."""

    kind: str
    id: int
    when: datetime
    title: str
    summary: str = ""
    url: str = ""
    actor: str = ""
    # A date-only record (a note, a collection action, a review): shown without the time.
    all_day: bool = False

    @property
    def key(self) -> tuple[datetime, str, int]:
        return (self.when, self.kind, self.id)

    @property
    def before(self) -> Before:
        return Before(when=self.when, kind=self.kind, id=self.id)


# (user, customer, before, limit) -> the file's newest `limit` entries before `before`.
SourceFunction = Callable[[Any, Any, "Before | None", int], list[TimelineEntry]]


@dataclass(frozen=True)
class TimelineSource:
    kind: str
    label: Any  # a lazy translation: "Service records"
    section: str  # a `core.permissions.Section` value: who may see the kind
    source: SourceFunction = field(compare=False)
    order: int = 100
    icon: str = "dot"  # a Bootstrap Icons name, shown beside the kind's entries


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(
    kind: str,
    label: Any,
    section: Policy | str,
    source: SourceFunction,
    *,
    order: int = 100,
    icon: str = "dot",
) -> None:
    """Add (or replace, on a reload) a kind of the timeline. Its section must be one of the
    policy's, so that who may see the kind has an answer there."""
    Policy(section)  # ValueError for a section the policy does not know
    if "|" in kind or not kind:
        raise ValueError(f"bad timeline kind {kind!r}")
    _SOURCES[kind] = TimelineSource(kind, label, str(section), source, order, icon)


def timeline_source(kind: str) -> TimelineSource | None:
    return _SOURCES.get(kind)


def timeline_sources() -> list[TimelineSource]:
    """Every registered kind, in the order of the filter."""
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.kind))


def timeline_kinds() -> list[str]:
    return [s.kind for s in timeline_sources()]


def visible_sources(access: Any) -> list[TimelineSource]:
    """The kinds whose section the reader may see on this file (`customer.access`)."""
    return [s for s in timeline_sources() if access.sees(s.section)]


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next: Before | None
    kinds: list[TimelineSource]  # the kinds the reader may see (the filter's choices)
    chosen: list[str]  # the kinds shown


def timeline_page(
    *,
    user: Any,
    customer: Any,
    kinds: Iterable[str] | None = None,
    before: Before | None = None,
    limit: int = PAGE_SIZE,
) -> TimelinePage:
    """A page of the file's timeline for `user`; `customer` comes from `customer_get` (it
    carries `access`). Kinds the reader may not see are left out, asked for or not."""
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    visible = visible_sources(customer.access)
    wanted = set(kinds or ())
    chosen = [s for s in visible if not wanted or s.kind in wanted]
    entries: list[TimelineEntry] = []
    for spec in chosen:
        entries.extend(spec.source(user, customer, before, limit + 1))
    if before is not None:  # a source that ignored the key must not repeat a page
        entries = [e for e in entries if e.key < (before.when, before.kind, before.id)]
    entries.sort(key=lambda e: e.key, reverse=True)
    page = entries[:limit]
    following = page[-1].before if len(entries) > limit else None
    return TimelinePage(
        entries=page, next=following, kinds=visible, chosen=[s.kind for s in chosen]
    )


# --- helpers for the sources ---------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """A date-only record's place on the timeline: the start of its day, local time."""
    return timezone.make_aware(datetime.combine(day, time.min))


def before_filter(
    field_name: str, kind: str, before: Before | None, *, dates: bool = False, pk: str = "pk"
) -> Q:
    """The rows of one source strictly before the keyset, on the source's own columns.

    The order is (when, kind, id) descending; within a source the kind is fixed, so the
    condition is on its time column (and id where the kind is the keyset's own). `dates`
    for a date column, whose rows stand at the start of their day (`day_start`).
    """
    if before is None:
        return Q()
    if dates:
        local = timezone.localtime(before.when)
        day = local.date()
        at_midnight = day_start(day) == before.when
        older = Q(**{f"{field_name}__lt": day}) if at_midnight else Q(**{f"{field_name}__lte": day})
        same = Q(**{field_name: day}) if at_midnight else Q(pk__in=[])
    else:
        older = Q(**{f"{field_name}__lt": before.when})
        same = Q(**{field_name: before.when})
    if kind < before.kind:
        return older | same
    if kind == before.kind:
        return older | (same & Q(**{f"{pk}__lt": before.id}))
    return older


def person(user: Any) -> str:
    """How an actor is named on the timeline (a user, or nobody: the system)."""
    return "" if user is None else str(user)


def shorten(text: str, length: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"
