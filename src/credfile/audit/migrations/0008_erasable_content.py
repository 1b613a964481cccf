"""Events of format 2 hash a salted digest of their content, which a destruction
certificate may later erase (credfile.audit.chain). On PostgreSQL the append-only trigger
lets exactly that update through: object_repr, before, after and the salt emptied and
`erased_in` set, once, on an event of format 2, every other column unchanged. DELETE is
still refused."""

from django.db import migrations, models

FUNCTION = "credfile_audit_refuse_change"
ERASE_FUNCTION = "credfile_audit_erase_only"
KEPT = (
    "id",
    "seq",
    "prev_hash",
    "hash",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "customer_id",
    "ip",
    "request_id",
    "content_digest",
)


def erase_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    q = schema_editor.quote_name
    event = q(apps.get_model("audit", "AuditEvent")._meta.db_table)
    same = " AND ".join(f"NEW.{q(c)} IS NOT DISTINCT FROM OLD.{q(c)}" for c in KEPT)
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {ERASE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND {same}
               AND OLD.content_digest <> '' AND OLD.erased_in IS NULL
               AND NEW.erased_in IS NOT NULL AND NEW.erased_in > OLD.seq
               AND NEW.object_repr = '' AND NEW.content_salt = ''
               AND NEW.before IS NULL AND NEW.after IS NULL THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$;
        DROP TRIGGER IF EXISTS audit_event_append_only ON {event};
        CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {event}
            FOR EACH ROW EXECUTE FUNCTION {ERASE_FUNCTION}();
        """,
        params=None,
    )


def refuse_all(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    event = schema_editor.quote_name(apps.get_model("audit", "AuditEvent")._meta.db_table)
    schema_editor.execute(
        f"""
        DROP TRIGGER IF EXISTS audit_event_append_only ON {event};
        CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {event}
            FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
        DROP FUNCTION IF EXISTS {ERASE_FUNCTION}();
        """,
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_head_moves_over_written_events")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="content_digest",
            field=models.CharField(blank=True, max_length=64, verbose_name="content digest"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_salt",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="erased_in",
            field=models.BigIntegerField(
                blank=True, null=True, verbose_name="erased by certificate"
            ),
        ),
        migrations.RunPython(erase_only, refuse_all),
    ]
