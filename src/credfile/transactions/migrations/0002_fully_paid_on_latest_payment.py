"""Invoices paid in full are paid on the latest pay date of their payments.

Earlier, a payment recorded after another but dated before it, or a payment whose date was
corrected, left the day of the payment recorded last; the receivables engine counts an
invoice as settled from that day, so it is set again from the allocations, in one statement.
"""

from typing import Any

from django.db import migrations
from django.db.models import F, Max, OuterRef, Subquery


def latest_payment(apps: Any, schema_editor: Any) -> None:
    invoice = apps.get_model("transactions", "Invoice")
    allocation = apps.get_model("transactions", "PaymentAllocation")
    last = Subquery(
        allocation.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(last=Max("payment__received_on"))
        .values("last")
    )
    invoice.objects.filter(amount_paid__gte=F("amount")).update(fully_paid_on=last)


class Migration(migrations.Migration):
    dependencies = [("transactions", "0001_initial")]

    operations = [migrations.RunPython(latest_payment, migrations.RunPython.noop)]
