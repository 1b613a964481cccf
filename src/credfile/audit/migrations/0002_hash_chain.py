"""Chain the audit trail: seq, prev_hash and hash on every event, and the one-row head.

Existing events are numbered in time order (ties by id) and chained from the genesis hash.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

BATCH = 2000


def chain_existing_events(apps, schema_editor):
    from credfile.audit.chain import GENESIS_HASH, event_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    db = schema_editor.connection.alias
    events = AuditEvent.objects.using(db)
    seq, prev_hash, last, last_time = 0, GENESIS_HASH, None, None
    while True:
        batch = events.order_by("occurred_at", "id")
        if last is not None:
            batch = batch.filter(Q(occurred_at__gt=last[0]) | Q(occurred_at=last[0], id__gt=last[1]))
        rows = list(batch[:BATCH])
        if not rows:
            break
        for event in rows:
            seq += 1
            event.seq = seq
            event.prev_hash = prev_hash
            event.hash = event_hash(
                seq=seq,
                prev_hash=prev_hash,
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                object_repr=event.object_repr,
                customer_id=event.customer_id,
                before=event.before,
                after=event.after,
                ip=event.ip,
                request_id=event.request_id,
            )
            prev_hash = event.hash
            last_time = event.occurred_at
        events.bulk_update(rows, ["seq", "prev_hash", "hash"])
        last = (rows[-1].occurred_at, rows[-1].id)
    AuditHead.objects.using(db).create(id=1, seq=seq, hash=prev_hash, occurred_at=last_time)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="occurred_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0, verbose_name="sequence number")),
                ("hash", models.CharField(default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64, verbose_name="hash")),
                ("occurred_at", models.DateTimeField(blank=True, null=True, verbose_name="time")),
            ],
            options={
                "verbose_name": "audit chain head",
                "verbose_name_plural": "audit chain head",
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_head_single_row")],
            },
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
