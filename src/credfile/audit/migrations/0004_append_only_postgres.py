"""On PostgreSQL, triggers refuse UPDATE and DELETE of audit events, DELETE of the chain head,
and any move of the head other than one step forward.

Triggers bind every role except a superuser who disables them; the operator should also
REVOKE UPDATE, DELETE, TRUNCATE from the application's role (docs/audit.md). SQLite has no
roles: there the ORM refuses changes and `credfile audit verify` detects the rest.
"""

from django.db import migrations

FUNCTION = "credfile_audit_refuse_change"
HEAD_FUNCTION = "credfile_audit_head_forward_only"


def _tables(apps):
    event = apps.get_model("audit", "AuditEvent")._meta.db_table
    head = apps.get_model("audit", "AuditHead")._meta.db_table
    return event, head


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    event, head = _tables(apps)
    q = schema_editor.quote_name
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$;
        CREATE OR REPLACE FUNCTION {HEAD_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id THEN
                RAISE EXCEPTION 'the audit chain head only moves forward by one event'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END;
        $$;
        CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {q(event)}
            FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
        CREATE TRIGGER audit_head_kept BEFORE DELETE ON {q(head)}
            FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
        CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON {q(head)}
            FOR EACH ROW EXECUTE FUNCTION {HEAD_FUNCTION}();
        """,
        # No parameters: the '%' placeholders are RAISE's, not the driver's.
        params=None,
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    event, head = _tables(apps)
    q = schema_editor.quote_name
    schema_editor.execute(
        f"""
        DROP TRIGGER IF EXISTS audit_event_append_only ON {q(event)};
        DROP TRIGGER IF EXISTS audit_head_kept ON {q(head)};
        DROP TRIGGER IF EXISTS audit_head_forward_only ON {q(head)};
        DROP FUNCTION IF EXISTS {FUNCTION}();
        DROP FUNCTION IF EXISTS {HEAD_FUNCTION}();
        """
    )


class Migration(migrations.Migration):

    dependencies = [("audit", "0003_hash_chain_indexes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
