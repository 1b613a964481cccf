"""The rules credfile ships with (docs/risk.md); credit managers change or retire them."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = (
    {
        "name": "Poor credit grade",
        "grade_at_or_below": "CCC",
        "block_credit": True,
        "review_within_months": 1,
    },
    {
        "name": "Overdue more than 90 days",
        "overdue_90_above": Decimal("0.00"),
        "review_within_months": 1,
    },
    {
        "name": "Dishonest judgment debtor",
        "rating_cap": "dishonest_debtor",
        "block_credit": True,
    },
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    RiskRule = apps.get_model("risk", "RiskRule")
    for fields in DEFAULTS:
        RiskRule.objects.get_or_create(name=fields["name"], defaults=fields)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    RiskRule = apps.get_model("risk", "RiskRule")
    RiskRule.objects.filter(name__in=[d["name"] for d in DEFAULTS], entries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_rules_and_watch_list")]
    operations = [migrations.RunPython(forwards, backwards)]
