"""The default review policies: high-risk files every 3 months, all others every 12."""

from django.db import migrations

DEFAULTS = (("risk", "high", 3, "Default: high risk"), ("default", "", 12, "Default: other files"))


def create_defaults(apps, schema_editor):
    ReviewPolicy = apps.get_model("reviews", "ReviewPolicy")
    for basis, value, months, note in DEFAULTS:
        if not ReviewPolicy.objects.filter(basis=basis, value=value, is_active=True).exists():
            ReviewPolicy.objects.create(basis=basis, value=value, cycle_months=months, note=note)


def remove_defaults(apps, schema_editor):
    ReviewPolicy = apps.get_model("reviews", "ReviewPolicy")
    for basis, value, months, _note in DEFAULTS:
        ReviewPolicy.objects.filter(
            basis=basis, value=value, cycle_months=months, version=1
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_review_schedules_and_policies")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
