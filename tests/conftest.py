"""Shared fixtures: fixed personas in two departments, as every test suite here expects."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from credfile.accounts.models import Department, User
from credfile.accounts.otp import otp_required
from tests.factories import DepartmentFactory, UserFactory

# In CI the property tests draw the same examples every run, so a red build always points to
# a change in the code; locally they explore afresh each time.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True, scope="session")
def _encryption_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test session seals with its own fresh master key."""
    from django.conf import settings

    from credfile.core.crypto import create_key_file, reset_key_ring

    settings.CREDFILE_KEY_FILE = tmp_path_factory.mktemp("keys") / "master.key"
    create_key_file()
    reset_key_ring()


@pytest.fixture(autouse=True)
def _fast_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@dataclass
class Personas:
    sales: Department
    other: Department
    account_manager: User
    colleague: User
    department_head: User
    credit_manager: User
    executive: User
    auditor: User
    admin: User
    outsider: User


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


def make_personas() -> Personas:
    sales = DepartmentFactory(code="SALES", name="销售一部")
    other = DepartmentFactory(code="EXPORT", name="外贸部")
    return Personas(
        sales=sales,
        other=other,
        account_manager=UserFactory(username="li.na", role="account_manager", department=sales),
        colleague=UserFactory(username="zhao.lei", role="account_manager", department=sales),
        department_head=UserFactory(username="wang.fang", role="department_head", department=sales),
        credit_manager=UserFactory(username="chen.jie", role="credit_manager", department=None),
        executive=UserFactory(username="liu.yang", role="executive", department=None),
        auditor=UserFactory(username="sun.li", role="auditor", department=None),
        admin=UserFactory(
            username="admin", role="admin", department=None, is_staff=True, is_superuser=True
        ),
        outsider=UserFactory(username="zhou.min", role="account_manager", department=other),
    )


@contextmanager
def shared_rows(django_db_blocker: Any) -> Iterator[None]:
    """Rows made once for a class of tests and kept until its last test: inside a transaction
    rolled back at the end, so each test's own writes (pytest-django's savepoint inside it)
    are undone after that test and the shared rows after the class."""
    from django.db import transaction
    from django.test.utils import override_settings

    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            yield
        transaction.set_rollback(True)


def otp_device_for(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, enrolled here if the user has none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert isinstance(device, TOTPDevice)
    return device


def totp_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now (each code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def client_for(db: None):  # type: ignore[no-untyped-def]
    """client_for(user, language="en") → a logged-in Django test client.

    For a role that needs a second factor the session is also verified with a TOTP device,
    as after entering the code.
    """

    def make(user: User, language: str = "en") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        if otp_required(user):
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = otp_device_for(user).persistent_id
            session.save()
        return client

    return make


@pytest.fixture(scope="session")
def scratch_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch")


def scratch(root: Path, name: str) -> Path:
    """A new directory under the session's scratch root. mkdtemp costs the same for the last
    test as for the first, where tmp_path_factory.mktemp lists every directory made before it
    (five a test here: the suite's last tests would each read some 25,000 names)."""
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root))


@pytest.fixture(autouse=True)
def _audit_digest_dir(settings: Any, scratch_root: Path) -> None:
    """Digests written by a test (the daily job, a key rotation) stay out of the instance,
    and out of the next test, whose trail they would not match."""
    settings.CREDFILE_AUDIT_DIGEST_DIR = scratch(scratch_root, "audit-digests")
    settings.CREDFILE_AUDIT_DIGEST_COPY = None


@pytest.fixture(autouse=True)
def _plain_static_names(settings: Any) -> None:
    """Pages link the static files by their plain names whatever the instance directory holds:
    after `credfile collectstatic` there they would link hashed names, which the browser
    tests' live server (serving through the finders, from the package) does not know."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _backup_dirs(settings: Any, scratch_root: Path) -> None:
    """Backups and the destruction journal a test writes stay out of the instance."""
    settings.CREDFILE_BACKUP_DIR = scratch(scratch_root, "backups")
    settings.CREDFILE_DESTRUCTION_JOURNAL_DIR = scratch(scratch_root, "destruction-journal")
    settings.CREDFILE_BACKUP_KEY_FILE = None


@pytest.fixture(autouse=True)
def _document_storage(settings: Any, scratch_root: Path) -> None:
    """Each test keeps its documents in a directory of its own, out of the instance."""
    location = scratch(scratch_root, "documents")
    archive = scratch(scratch_root, "archive")
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
        "archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(archive), "base_url": None},
        },
    }
