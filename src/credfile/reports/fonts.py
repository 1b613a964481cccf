"""The font embedded in PDF reports: one file that holds Chinese, `CREDFILE_PDF_FONT`.

Debian's fonts-noto-cjk ships Noto Sans CJK as an OpenType collection; of a collection the
Simplified Chinese face is used (its family name ends in " SC"), else the first. fpdf2
embeds only the glyphs a report uses (a subset), so a report stays small.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.utils.translation import gettext as _

COLLECTIONS = {".ttc", ".otc"}


class FontMissing(Exception):
    """The configured font cannot be used: no file, unreadable, or not a font."""


@dataclass(frozen=True)
class ReportFont:
    path: Path
    index: int  # the face of a collection; 0 for a single font
    family: str


def configured_path() -> Path:
    return Path(settings.CREDFILE_PDF_FONT)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ReportFont:
    from fontTools.ttLib import (  # type: ignore[import-untyped]
        TTCollection,
        TTFont,
        TTLibError,
    )

    try:
        if Path(path).suffix.lower() in COLLECTIONS:
            collection = TTCollection(path, lazy=True)
            names = [f["name"].getDebugName(1) or "" for f in collection.fonts]
            index = next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)
            return ReportFont(Path(path), index, names[index])
        font = TTFont(path, lazy=True)
        return ReportFont(Path(path), 0, font["name"].getDebugName(1) or Path(path).stem)
    except (TTLibError, OSError, KeyError, IndexError, AssertionError) as exc:
        raise FontMissing(str(exc)) from exc


def report_font() -> ReportFont:
    """The font for reports, or FontMissing saying why there is none."""
    path = configured_path()
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise FontMissing(exc.strerror or str(exc)) from exc
    if not path.is_file():
        raise FontMissing(_("not a file"))
    return _load(str(path), mtime)


# The first four bytes of a TrueType or OpenType font, or of a collection of them.
SIGNATURES = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")


def font_file_problem() -> str:
    """Why the configured file is not a font, or "" — from its first bytes, without reading
    the font (every command runs the system checks; the report reads it)."""
    path = configured_path()
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        return exc.strerror or str(exc)
    if head not in SIGNATURES:
        return _("not a TrueType or OpenType font")
    return ""


def report_font_check(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """A warning, not an error: everything but the PDF reports works without the font."""
    if problem := font_file_problem():
        return [
            CheckWarning(
                f"CREDFILE_PDF_FONT={configured_path()} cannot be used ({problem}): "
                "PDF reports answer 503 until it can.",
                hint="apt-get install fonts-noto-cjk, or set CREDFILE_PDF_FONT to a "
                "TrueType/OpenType font file (or collection) with Chinese glyphs.",
                id="credfile.W201",
            )
        ]
    return []
