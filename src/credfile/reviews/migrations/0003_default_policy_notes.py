"""The default policies' notes were English text shown to every reader: the page now
describes each rule in the reader's language, so the untouched default notes are cleared."""

from django.db import migrations

DEFAULT_NOTES = {("risk", "high"): "Default: high risk", ("default", ""): "Default: other files"}


def clear_default_notes(apps, schema_editor):
    ReviewPolicy = apps.get_model("reviews", "ReviewPolicy")
    for (basis, value), note in DEFAULT_NOTES.items():
        ReviewPolicy.objects.filter(basis=basis, value=value, note=note).update(note="")


def restore_default_notes(apps, schema_editor):
    ReviewPolicy = apps.get_model("reviews", "ReviewPolicy")
    for (basis, value), note in DEFAULT_NOTES.items():
        ReviewPolicy.objects.filter(basis=basis, value=value, note="", version=1).update(note=note)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_default_review_policies")]

    operations = [migrations.RunPython(clear_default_notes, restore_default_notes)]
