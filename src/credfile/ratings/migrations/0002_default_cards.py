"""The cards credfile ships with, as version 1 in use, and the industry-risk table's
starting level (medium for every industry until the credit department sets it)."""

import datetime

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from credfile.ratings.cards import card_to_data
    from credfile.ratings.defaults import company_card, individual_card

    Scorecard = apps.get_model("ratings", "Scorecard")
    Version = apps.get_model("ratings", "ScorecardVersion")
    IndustryRisk = apps.get_model("ratings", "IndustryRisk")
    for card, name in ((company_card(), "企业客户评分卡"), (individual_card(), "个人客户评分卡")):
        scorecard = Scorecard.objects.create(
            key=card.key, name=name, customer_kind=card.customer_kind, is_default=True
        )
        Version.objects.create(
            scorecard=scorecard,
            number=1,
            definition=card_to_data(card),
            status="published",
            source="expert",
            # Shown in the reader's language from the card's key (Scorecard.display_name).
            note="",
            published_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        )
    from credfile.customers.choices import Industry

    IndustryRisk.objects.bulk_create(
        IndustryRisk(
            industry=code,
            level="medium",
            valid_from=datetime.date(2000, 1, 1),
            basis="",
        )
        for code in Industry.values
    )


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
