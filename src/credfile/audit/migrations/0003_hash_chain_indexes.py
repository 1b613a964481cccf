"""Make seq required and unique; index each auditor filter together with seq; new actions."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_hash_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Create"),
                    ("update", "Update"),
                    ("delete", "Delete"),
                    ("login", "Log in"),
                    ("login_failed", "Failed log-in"),
                    ("logout", "Log out"),
                    ("access_denied", "Access refused"),
                    ("export", "Export"),
                    ("apply", "Apply for use"),
                    ("approve", "Approve"),
                    ("reject", "Reject"),
                    ("withdraw", "Withdraw"),
                    ("revoke", "Revoke"),
                    ("grant_use", "Use under a grant"),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(unique=True, verbose_name="sequence number"),
        ),
        migrations.RemoveIndex(model_name="auditevent", name="audit_customer_idx"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_actor_idx"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["customer_id", "seq"], name="audit_customer_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "seq"], name="audit_actor_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "seq"], name="audit_action_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["object_type", "seq"], name="audit_type_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["occurred_at", "seq"], name="audit_time_seq_idx"),
        ),
    ]
