"""Where documents and the archive are kept (STORAGES["documents"] and STORAGES["archive"]),
read from the environment: a local directory each, or S3-compatible storage through
django-storages (docs/documents.md, docs/archive.md).

A function rather than lines in settings.py, so the tests build the storages from the same
variables an operator sets."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from credfile.core.env import env_path, env_str

S3_BACKEND = "storages.backends.s3.S3Storage"


def _local(location: Path) -> dict[str, Any]:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(location),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }


def _prefix(name: str, default: str) -> str:
    return env_str(name, default).strip("/")


def _s3(bucket: str, prefix: str, variable: str) -> dict[str, Any]:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            f"{variable} needs django-storages with boto3: pip install 'credfile[s3]'"
        )
    # The credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or any
    # other source boto3 reads), never from a setting of ours.
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("CREDFILE_DOCUMENT_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("CREDFILE_DOCUMENT_S3_REGION", "") or None,
            "location": prefix,
            # A stored name is never reused: saving over an existing key gets another name,
            # which the services refuse, instead of replacing the object.
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }


def _nested(one: str, other: str) -> bool:
    """Whether either prefix lies inside the other (an empty one holds everything)."""
    if not one or not other:
        return True
    return one == other or one.startswith(f"{other}/") or other.startswith(f"{one}/")


def file_storages(home: Path) -> dict[str, dict[str, Any]]:
    """The "documents" and "archive" storages. The archive may share the documents' bucket
    under a prefix of its own: each store is listed for orphaned files, so neither prefix
    may lie inside the other."""
    document_bucket = env_str("CREDFILE_DOCUMENT_S3_BUCKET", "")
    document_prefix = _prefix("CREDFILE_DOCUMENT_S3_PREFIX", "documents")
    archive_bucket = env_str("CREDFILE_ARCHIVE_S3_BUCKET", "")
    archive_prefix = _prefix("CREDFILE_ARCHIVE_S3_PREFIX", "archive")
    if document_bucket:
        documents = _s3(document_bucket, document_prefix, "CREDFILE_DOCUMENT_S3_BUCKET")
    else:
        documents = _local(env_path("CREDFILE_DOCUMENT_DIR", str(home / "documents")))
    if archive_bucket:
        if archive_bucket == document_bucket and _nested(archive_prefix, document_prefix):
            raise ImproperlyConfigured(
                "CREDFILE_ARCHIVE_S3_PREFIX and CREDFILE_DOCUMENT_S3_PREFIX must be two "
                "separate non-empty prefixes when the archive shares the documents' bucket, "
                f"got {archive_prefix!r} and {document_prefix!r}"
            )
        archive = _s3(archive_bucket, archive_prefix, "CREDFILE_ARCHIVE_S3_BUCKET")
    else:
        archive = _local(env_path("CREDFILE_ARCHIVE_DIR", str(home / "archive")))
    return {"documents": documents, "archive": archive}
