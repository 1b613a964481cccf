"""What a browser would submit for a form on a page: the values as rendered in the HTML.

Tests that post `form.initial` skip the rendering, so they cannot see a value that the page
writes in a shape its input does not accept (a date as 2023/01/20 in an <input type=date>
reads as blank and is submitted empty).
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _browser_value(kind: str, value: str) -> str:
    """The value an input of this type keeps: browsers blank what does not parse."""
    if kind == "date" and value and not _DATE.match(value):
        return ""
    if kind == "datetime-local" and value and not _DATETIME.match(value):
        return ""
    if kind == "date" and value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return ""
    if kind == "number" and value and not _NUMBER.match(value):
        return ""
    return value


class _FormParser(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.depth = 0
        self.fields: list[tuple[str, str]] = []
        self.inputs: list[dict[str, str | None]] = []
        self._select: str | None = None
        self._select_disabled = False
        self._options: list[tuple[str, bool]] = []
        self._option: list[str] | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        disabled = "disabled" in attrs
        if tag == "input":
            self.inputs.append(attrs)
            kind = (attrs.get("type") or "text").lower()
            if not name or disabled or kind in {"submit", "button", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, _browser_value(kind, attrs.get("value") or "")))
        elif tag == "select":
            self._select = name
            self._select_disabled = disabled
            self._options = []
        elif tag == "option" and self._select is not None:
            self._option = []
            self._option_value = attrs.get("value")
            self._option_selected = "selected" in attrs
        elif tag == "textarea" and name and not disabled:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            text = "".join(self._option)
            value = self._option_value if self._option_value is not None else text.strip()
            self._options.append((value, self._option_selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select_disabled and self._options:
                chosen = [v for v, selected in self._options if selected] or [self._options[0][0]]
                self.fields.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            # The HTML parser keeps the newline after <textarea>; browsers drop it, and submit
            # every line break as CR LF.
            text = "".join(parts).removeprefix("\n").replace("\r\n", "\n")
            self.fields.append((name, text.replace("\n", "\r\n")))
            self._textarea = None


def form_data(html: str, form_id: str) -> dict[str, str]:
    """The fields a browser submits for the form with this id, unchanged by the user."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return dict(parser.fields)


def form_inputs(html: str, form_id: str) -> list[dict[str, str | None]]:
    """Every <input> of the form with its attributes, as written in the HTML."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.inputs
