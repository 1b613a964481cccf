"""Fill a scratch instance with N small documents, then time the integrity inspection
(`credfile archive inspect`) beside a plain `sha256sum` over the same stored files.

    export CREDFILE_HOME=/tmp/inspectbench
    .venv/bin/python -m credfile keys init --if-missing
    .venv/bin/python -m credfile migrate
    .venv/bin/python -m credfile demo --customers 300
    .venv/bin/python scripts/bench_inspection.py --documents 20000 --sealed 1000

The database and the "documents" storage come from the environment like the application's.
Use a scratch instance: the documents are made up. Most are written straight to the storage
and inserted with bulk_create (the same name, size and checksum an attach records); --sealed
of them go through `document_attach` as ID copies, so they are sealed at rest like real
ones and the inspection opens each. Documents already there are kept and inspected too.
This is a measuring tool, not a test: it exits non-zero only when the inspection finds a
problem.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--sealed", type=int, default=1_000)
    parser.add_argument("--size", type=int, default=2_000, help="bytes of each document")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.db import connection

    from credfile.customers.models import Customer
    from credfile.documents.models import Document
    from credfile.documents.services import document_attach, document_storage
    from credfile.inspections.services import inspection_run

    customers = list(
        Customer.objects.filter(account_manager__isnull=False)
        .select_related("account_manager")
        .order_by("pk")[:1000]
    )
    if not customers:
        print("no customers with an account manager: run `credfile demo` first", file=sys.stderr)
        return 2
    storage = document_storage()
    day = datetime.date(2026, 1, 2)
    start = (Document.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1

    def pdf(n: int) -> bytes:
        filler = secrets.token_hex(max(args.size - 80, 8) // 2).encode()
        return b"%PDF-1.4\n%" + filler + f"\n%{n}\ntrailer<<>>\n%%EOF\n".encode()

    plain = max(args.documents - args.sealed, 0)
    began = time.perf_counter()
    batch: list[Document] = []
    for i in range(plain):
        customer = customers[i % len(customers)]
        data = pdf(i)
        name = f"{customer.code}_other_{day:%Y%m%d}_B{start + i:07d}.pdf"
        storage.save(name, ContentFile(data))
        batch.append(
            Document(
                customer=customer,
                document_type="other",
                title=f"bench {i}",
                document_date=day,
                seq=start + i,
                stored_name=name,
                original_name=f"bench-{i}.pdf",
                content_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
        if len(batch) == 2000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    for i in range(args.sealed):
        customer = customers[i % len(customers)]
        document_attach(
            actor=customer.account_manager,
            customer=customer,
            upload=pdf(i),
            name=f"id-{i}.pdf",
            document_type="id_copy",
            title=f"bench id {i}",
            document_date=day,
        )
    print(
        f"created {plain:,} plain and {args.sealed:,} sealed documents of ~{args.size} bytes "
        f"in {time.perf_counter() - began:.1f} s"
    )
    total = Document.objects.count()
    print(f"documents in the table: {total:,}; database: {connection.vendor}")

    began = time.perf_counter()
    inspection = inspection_run()
    seconds = time.perf_counter() - began
    print(
        f"archive inspect: {seconds:.2f} s for {inspection.documents_checked:,} documents, "
        f"{inspection.events_checked:,} audit events, {inspection.bytes_read / 1e6:.1f} MB read; "
        f"result {inspection.result} ({inspection.documents_checked / seconds:,.0f} documents/s)"
    )

    location = getattr(storage, "location", None)
    if location and shutil.which("sha256sum"):
        began = time.perf_counter()
        subprocess.run(
            f"find {location} -type f -print0 | xargs -0 sha256sum > /dev/null",
            shell=True,
            check=True,
        )
        print(f"sha256sum over the same files: {time.perf_counter() - began:.2f} s")
    return 0 if inspection.result == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
