"""Key management: create the master key file and rotate it under live data.

Rotation, step by step (each step is safe to interrupt and run again):
1. A copy of the key file is written beside it (keep it with your backups).
2. A new key is added to the ring and made active; the old ones stay to decrypt.
3. Every row with a sealed value under an old key is re-sealed under the new key and its
   blind indexes recomputed, in batches, each batch one transaction. Rows already under the
   new key are skipped, so a second run resumes where the first stopped.
4. When no value under an old key remains, the old keys leave the ring.
"""

from __future__ import annotations

import datetime
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from credfile.audit.services import audit_record
from credfile.core.crypto import (
    KeyRing,
    create_key_file,
    key_file_path,
    key_ring,
    new_key_id,
    reset_key_ring,
    token_key_id,
)
from credfile.core.models import KeyRotation
from credfile.core.sealed import Sealed, sealed_attributes

BATCH_SIZE = 1000


def sealed_models() -> Iterator[tuple[type[models.Model], list[Sealed]]]:
    for model in apps.get_models():
        attributes = sealed_attributes(model)
        if attributes:
            yield model, attributes


def keys_init() -> KeyRing:
    return create_key_file()


@dataclass
class RotationReport:
    new_key: str
    rows: dict[str, int] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    seconds: float = 0.0
    complete: bool = False


def _stale(attributes: list[Sealed], active: str) -> Q:
    """Rows holding a value under a key other than the active one (prefix test on tokens)."""
    condition = Q()
    prefix = f"cf1${active}$"
    for attribute in attributes:
        column = attribute.enc_attr
        condition |= ~Q(**{column: ""}) & ~Q(**{f"{column}__startswith": prefix})
    return condition


# Contents sealed outside model fields (documents' bytes), re-sealed by their apps before the
# old keys go: label -> reseal(active key id, progress) -> rows re-sealed.
RESEALERS: dict[str, Callable[[str, Callable[[str, int], None] | None], int]] = {}


def register_resealer(
    label: str, reseal: Callable[[str, Callable[[str, int], None] | None], int]
) -> None:
    RESEALERS[label] = reseal


def keys_rotate(
    *,
    batch_size: int = BATCH_SIZE,
    stop_after_batches: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Rotate to a new key (or finish an interrupted rotation) and retire the old keys."""
    started = time.perf_counter()
    ring = key_ring()
    if len(ring.keys) == 1:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        shutil.copy2(ring.path, ring.path.with_name(f"{ring.path.name}.{stamp}.bak"))
        key_id = new_key_id()
        ring.keys[key_id] = secrets.token_bytes(32)
        ring.active = key_id
        ring.save()
        reset_key_ring()
        ring = key_ring()
        with transaction.atomic():
            rotation = KeyRotation.objects.create(key_id=key_id)
            audit_record(
                actor=None,
                action="key_rotation",
                obj=rotation,
                after={"phase": "started", "key": key_id},
            )
    report = RotationReport(new_key=ring.active)
    batches = 0
    for model, attributes in sealed_models():
        label = model._meta.label
        report.rows[label] = 0
        columns = [a.enc_attr for a in attributes] + [a.bidx_attr for a in attributes if a.index]
        stale = model._default_manager.filter(_stale(attributes, ring.active)).order_by("pk")
        while True:
            if stop_after_batches is not None and batches >= stop_after_batches:
                report.seconds = time.perf_counter() - started
                return report
            with transaction.atomic():
                rows = list(stale.select_for_update()[:batch_size])
                if not rows:
                    break
                for row in rows:
                    for attribute in attributes:
                        attribute.reseal(row)
                model._default_manager.bulk_update(rows, columns)
            batches += 1
            report.rows[label] += len(rows)
            if progress:
                progress(label, len(rows))
    for label, reseal in RESEALERS.items():
        report.rows[label] = reseal(ring.active, progress)
    old = [k for k in ring.keys if k != ring.active]
    for key_id in old:
        del ring.keys[key_id]
    ring.retired = sorted({*ring.retired, *old})
    ring.save()
    reset_key_ring()
    with transaction.atomic():
        rotation, _created = KeyRotation.objects.get_or_create(key_id=ring.active)
        rotation.finished_at = timezone.now()
        rotation.retired = old
        rotation.save()
        audit_record(
            actor=None,
            action="key_rotation",
            obj=rotation,
            after={"phase": "finished", "key": ring.active, "retired": old, "rows": report.rows},
        )
    report.retired = old
    report.complete = True
    report.seconds = time.perf_counter() - started
    return report


def key_status() -> dict[str, object]:
    ring = key_ring()
    pending = 0
    for model, attributes in sealed_models():
        pending += model._default_manager.filter(_stale(attributes, ring.active)).count()
    return {
        "file": str(key_file_path()),
        "active": ring.active,
        "keys": sorted(ring.keys),
        "retired": ring.retired,
        "rows_under_old_keys": pending,
    }


__all__ = ["key_status", "keys_init", "keys_rotate", "token_key_id"]
