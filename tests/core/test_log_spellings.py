"""However an ID number, mobile number or credit code is spelled in a request — split by
spaces, dashes or dots, with +86, percent-encoded, with `+` for spaces, in full-width digits —
no log line the server writes holds it: neither Django's request log of a 4xx nor the
development server's request line, each through the configured handler and formatter."""

from __future__ import annotations

import datetime
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote, unquote_plus

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from credfile.core.logfilter import MaskSensitiveFilter

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Counties that existed for every birth year drawn (stdnum checks the county against the year).
_REGIONS = ["110105", "110101", "310101", "310104", "120101"]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(datetime.date(1940, 1, 1), datetime.date(2008, 12, 31)))
    body = draw(st.sampled_from(_REGIONS)) + f"{born:%Y%m%d}" + draw(st.from_regex(r"\A[0-9]{3}\Z"))
    # calc_check_digit expects a full 18-character number and ignores its last character.
    number = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(number)
    return number


mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    body = (
        draw(st.sampled_from(["91", "92", "93", "11", "12", "51", "52"]))
        + draw(st.sampled_from(_REGIONS))
        + "".join(draw(st.lists(st.sampled_from(_USCC_ALPHABET), min_size=9, max_size=9)))
    )
    number = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(number)
    return number


numbers = st.one_of(
    st.tuples(st.just("id"), resident_ids()),
    st.tuples(st.just("mobile"), mobiles),
    st.tuples(st.just("code"), credit_codes()),
)


def _full_width(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """(the number, how it is written in the URL's query string or path)."""
    kind, number = draw(numbers)
    chars = number.lower() if kind != "mobile" and draw(st.booleans()) else number
    gaps = draw(
        st.lists(
            st.sampled_from(["", "", "", " ", "-", ".", "  ", " - "]),
            min_size=len(chars) - 1,
            max_size=len(chars) - 1,
        )
    )
    text = chars[0] + "".join(gap + c for gap, c in zip(gaps, chars[1:], strict=True))
    if kind == "mobile":
        text = draw(st.sampled_from(["", "+86 ", "+86", "0086 ", "86-", "+86-"])) + text
    if draw(st.booleans()):
        text = (
            _full_width(text)
            if draw(st.booleans())
            else "".join(_full_width(c) if draw(st.booleans()) else c for c in text)
        )
    encoding = draw(st.sampled_from(["quote", "plus", "every-byte", "twice"]))
    if encoding == "quote":
        written = quote(text, safe="")
    elif encoding == "plus":
        written = quote(text, safe="").replace("%20", "+")
    elif encoding == "every-byte":
        written = "".join(f"%{b:02X}" for b in text.encode("utf-8"))
    else:
        written = quote(quote(text, safe=""), safe="")
    return number, written


def _readable(text: str) -> str:
    """The log text with every spelling undone: decoded, NFKC, separators dropped."""
    for _round in range(4):
        text = unquote_plus(text)
    text = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"[^0-9A-Z]", "", text)


def _console_handler() -> logging.Handler:
    [handler] = [
        h for h in logging.getLogger().handlers if not type(h).__module__.startswith("_pytest")
    ]
    assert any(isinstance(f, MaskSensitiveFilter) for f in handler.filters)
    return handler


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What the configured console handler writes (the one django.server and django.request
    use too), caught instead of going to stderr."""
    handler = _console_handler()
    assert isinstance(handler, logging.StreamHandler)
    for name in ("django.server", "django.request"):
        assert handler in logging.getLogger(name).handlers
    caught = io.StringIO()
    previous = handler.setStream(caught)
    try:
        yield caught
    finally:
        handler.setStream(previous)


def _runserver_request_line(path: str, status: int = 404) -> None:
    """The development server's own logging of one request, without a socket."""
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.requestline = f"GET {path} HTTP/1.1"
    handler.request = None  # type: ignore[assignment]
    handler.log_request(status, 179)


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spelled=spellings())
def test_no_spelling_of_a_number_reaches_the_server_log(
    server_log: io.StringIO, spelled: tuple[str, str]
) -> None:
    number, written = spelled
    server_log.seek(0)
    server_log.truncate()

    response = Client().get(f"/no-such-page/{written}/?q={written}&page=2")
    assert response.status_code == 404
    _runserver_request_line(f"/customers/?q={written}&page=2")
    _runserver_request_line(f"/customers/{written}/")

    text = server_log.getvalue()
    assert "Not Found: /no-such-page/" in text and "GET /customers/?q=<masked>&page=2" in text
    assert number.upper() not in _readable(text), text


def test_the_search_parameters_of_a_logged_url_are_masked(server_log: io.StringIO) -> None:
    _runserver_request_line("/customers/?q=anything&customer=C0001&actor=li.na&page=3&cursor=abc")
    line = server_log.getvalue()
    assert "q=<masked>&customer=<masked>&actor=<masked>&page=3&cursor=abc" in line


@pytest.mark.parametrize(
    ("spelled", "hidden"),
    [
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("0086 13912345678", "13912345678"),
        ("110105 19900307 1255", "110105199003071255"),
        ("%31%31%30%31%30%35%31%39%39%30%30%33%30%37%31%32%35%35", "110105199003071255"),
        ("110105+19900307+1255", "110105199003071255"),
        ("１３９１２３４５６７８", "13912345678"),
        ("%EF%BC%91%EF%BC%93%EF%BC%99 1234 5678", "13912345678"),
    ],
)
def test_known_spellings_in_a_path_are_masked(
    server_log: io.StringIO, spelled: str, hidden: str
) -> None:
    _runserver_request_line(f"/customers/{spelled}/")
    assert hidden not in _readable(server_log.getvalue())


def test_a_percent_encoded_line_break_cannot_forge_a_log_line(server_log: io.StringIO) -> None:
    _runserver_request_line("/customers/x%0A2026-01-01 INFO forged/")
    assert server_log.getvalue().count("\n") == 1
