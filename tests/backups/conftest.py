"""The empty instance a restore goes into (`target`), for every backup test module."""

from tests.backups.test_backup import target

__all__ = ["target"]
