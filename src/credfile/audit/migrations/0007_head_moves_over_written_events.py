"""On PostgreSQL the chain head may move forward over several events written in one insert
(a bulk import), never past an event that is not there: it moves from seq n to seq m only
when every event n+1 … m exists and the head's hash is event m's."""

from django.db import migrations

HEAD_FUNCTION = "credfile_audit_head_forward_only"


def _replace(schema_editor, body: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {HEAD_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {body}
            RETURN NEW;
        END;
        $$;
        """,
        params=None,
    )


def over_written_events(apps, schema_editor):
    event = schema_editor.quote_name(apps.get_model("audit", "AuditEvent")._meta.db_table)
    _replace(
        schema_editor,
        f"""
            IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq
               OR (SELECT count(*) FROM {event} WHERE seq > OLD.seq AND seq <= NEW.seq)
                  <> NEW.seq - OLD.seq
               OR NOT EXISTS (SELECT 1 FROM {event} WHERE seq = NEW.seq AND hash = NEW.hash) THEN
                RAISE EXCEPTION 'the audit chain head only moves forward over written events'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        """,
    )


def by_one_event(apps, schema_editor):
    _replace(
        schema_editor,
        """
            IF NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id THEN
                RAISE EXCEPTION 'the audit chain head only moves forward by one event'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        """,
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_read_and_lookup_actions")]

    operations = [migrations.RunPython(over_written_events, by_one_event)]
