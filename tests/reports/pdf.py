"""Reading a PDF as its reader's tools do: poppler's pdftotext and pdffonts."""

from __future__ import annotations

import subprocess
from pathlib import Path
from tempfile import TemporaryDirectory


def _run(tool: str, content: bytes, *args: str) -> str:
    with TemporaryDirectory() as directory:
        path = Path(directory) / "report.pdf"
        path.write_bytes(content)
        done = subprocess.run(
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            check=True,
            timeout=60,
        )
    return done.stdout.decode("utf-8")


def text_of(content: bytes) -> str:
    """The PDF's text layer, in reading order (what copying or indexing it gives)."""
    return _run("pdftotext", content, "-enc", "UTF-8")


def fonts_of(content: bytes) -> list[dict[str, str]]:
    """pdffonts' table: name, type, embedded, subset, unicode map of each font."""
    lines = _run("pdffonts", content).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name, type (one to three words), encoding, emb, sub, uni, object, id
        fonts.append(
            {"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3], "line": line}
        )
    return fonts
