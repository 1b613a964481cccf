"""What an import reports: its counts and every problem by row and column."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

BATCH = 1000


@dataclass(frozen=True)
class RowError:
    """One problem: the file's row number (0 for the file as a whole), the column as the
    file names it ("" when none), and what is wrong, in the user's language."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    kind: str
    sha256: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.dry_run and not self.errors


def batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Fail = Callable[[str, str], None]


def cells_of(
    positions: dict[str, int], batch: list[tuple[int, list[str]]], result: ImportResult
) -> Iterator[tuple[int, dict[str, str], Fail]]:
    """Each row's cells by column name, with a `fail(column, message)` that reports the
    problem under the header the file gives that column."""
    headers = result.headers
    for number, values in batch:
        cells = {
            name: values[at].strip() if at < len(values) else "" for name, at in positions.items()
        }

        def fail(name: str, message: str, number: int = number) -> None:
            at = positions.get(name)
            result.errors.append(RowError(number, headers[at] if at is not None else name, message))

        yield number, cells, fail
