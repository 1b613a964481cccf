"""Customer names: at most 100 characters (was 200), so that a list stays readable."""

from typing import Any

from django.db import migrations, models
from django.db.models.functions import Length

NAME_MAX_LENGTH = 100


def refuse_longer_names(apps: Any, schema_editor: Any) -> None:
    # Shortening a name is the owner's decision, not the migration's: stop and say which.
    customer = apps.get_model("customers", "Customer")
    longer = list(
        customer.objects.annotate(n=Length("name"))
        .filter(n__gt=NAME_MAX_LENGTH)
        .values_list("code", flat=True)[:20]
    )
    if longer:
        raise RuntimeError(
            f"These credit files have names longer than {NAME_MAX_LENGTH} characters; shorten "
            f"them before migrating: {', '.join(longer)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_department_list_indexes"),
    ]

    operations = [
        migrations.RunPython(refuse_longer_names, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="customer",
            name="name",
            field=models.CharField(
                error_messages={
                    "max_length": "A name can have at most %(limit_value)d characters "
                    "(it has %(show_value)d)."
                },
                max_length=NAME_MAX_LENGTH,
                verbose_name="name",
            ),
        ),
    ]
