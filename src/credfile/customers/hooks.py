"""What other apps keep in step with credit files: they register here from their AppConfig.

The customers app calls `files_changed` inside the transaction of every write to a file or
one of its records (and the demo loader after a load), so that state derived from a file —
its review date, risk and data quality — is right at once, not only after the nightly job.
The derived state belongs to the app that registers the hook, so customers imports none of
them (as NetBox plugins register with the core rather than the core importing plugins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol


class FileChangedHook(Protocol):
    def __call__(self, *, customer_ids: list[int] | None) -> None: ...


_hooks: dict[str, FileChangedHook] = {}


def register_file_changed(name: str, hook: FileChangedHook) -> None:
    """Call `hook(customer_ids=[...])` whenever those files change; `None` means every file.

    Registered under a name, so registering again (a reloaded app config) replaces it.
    """
    _hooks[name] = hook


def files_changed(*, customer_ids: Iterable[int] | None) -> None:
    """Tell the registered apps that these files (or, with None, all files) have changed."""
    ids = None if customer_ids is None else sorted(set(customer_ids))
    if ids is not None and not ids:
        return
    for hook in list(_hooks.values()):
        hook(customer_ids=ids)


def registered_hooks() -> dict[str, Callable[..., None]]:
    """The hooks by name (for tests and diagnostics)."""
    return dict(_hooks)
