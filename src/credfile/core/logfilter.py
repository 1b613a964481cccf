"""A logging filter that keeps ID numbers, mobile numbers, card numbers and credit codes out of
every log line, however they are spelled.

Search terms travel in URLs (/customers/?q=<ID number>), so request and server logs would
otherwise keep them in clear (JR/T 0171: C2 data is shown masked, in logs too). Two layers:

1. In a logged URL, the value of every query parameter not known to be harmless
   (SAFE_QUERY_PARAMETERS: page, cursor, dates, …) is replaced by `<masked>`, so the search
   box's `q`, `customer`, `actor`, `next` … never reach a log, whatever they hold.
2. Anywhere in the line, numbers are read the way a person may type them — split by spaces,
   dashes or dots, with a +86 / 0086 prefix, percent-encoded (`%31%33…`, `+` for a space) or
   in full-width digits (NFKC) — and masked when they are a valid resident ID number, a
   mobile number, a card number (15–19 digits) or a unified social credit code.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from urllib.parse import unquote, unquote_plus

from stdnum.cn import uscc

from credfile.core.identifiers import is_resident_id
from credfile.core.masking import mask_card, mask_id_number, mask_middle

# Query parameters whose values say nothing about a person; every other value is masked.
SAFE_QUERY_PARAMETERS = frozenset(
    {
        "page",
        "cursor",
        "ordering",
        "order",
        "sort",
        "format",
        "lang",
        "language",
        "status",
        "kind",
        "action",
        "object_type",
        "date_from",
        "date_to",
        "risk",
        "risk_level",
        "tab",
    }
)
MASKED_VALUE = "<masked>"

_QUERY = re.compile(r"\?([^\s\"'<>#]+)")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# What people put between the digits of a number. `+` is a space in a query string.
_SEP = r"[ \t\u00a0\-\u2010-\u2015.()+_]"
_NUMBER = re.compile(
    rf"(?<![0-9])[0-9](?:{_SEP}{{0,3}}[0-9])*(?:{_SEP}{{0,3}}[Xx](?![0-9A-Za-z]))?"
)
_CODE = re.compile(rf"(?<![0-9A-Za-z])[0-9A-Za-z](?:{_SEP}{{0,3}}[0-9A-Za-z]){{17}}(?![0-9A-Za-z])")
_GROUP = re.compile(r"[0-9]+|[Xx]")
_MOBILE = re.compile(r"((?:00)?86)?(1[3-9][0-9]{9})")


def _ascii_digits(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), and any other script's decimal
    digits as ASCII digits."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.digit(ch)) if not ch.isascii() and unicodedata.category(ch) == "Nd" else ch
        for ch in text
    )


def _printable(text: str) -> bool:
    # A decoded %0A would let a request forge a log line of its own.
    return not any(unicodedata.category(ch).startswith("C") for ch in text)


def _decode_percent(match: re.Match[str]) -> str:
    decoded = _ascii_digits(unquote(match.group(0), errors="replace"))
    return decoded if _printable(decoded) else match.group(0)


def _mask_query(match: re.Match[str]) -> str:
    pairs = []
    for pair in re.split(r"([&;])", match.group(1)):
        if pair in {"&", ";"} or not pair:
            pairs.append(pair)
            continue
        name, equals, value = pair.partition("=")
        readable = _ascii_digits(unquote_plus(name)).strip().lower()
        if not equals:
            pairs.append(MASKED_VALUE)
        elif not value or readable in SAFE_QUERY_PARAMETERS:
            pairs.append(pair)
        else:
            pairs.append(f"{name}={MASKED_VALUE}")
    return "?" + "".join(pairs)


def _sensitive(compact: str) -> str | None:
    """The masked form of a compact number (digits, and a final X) that is sensitive."""
    if len(compact) == 18 and is_resident_id(compact):
        return mask_id_number(compact)
    if len(compact) == 18 and uscc.is_valid(compact):
        return mask_id_number(compact)
    mobile = _MOBILE.fullmatch(compact)
    if mobile:
        return (mobile.group(1) or "") + mask_middle(mobile.group(2), 3, 4)
    if compact.isdigit() and 15 <= len(compact) <= 19:
        return mask_card(compact)
    return None


def _mask_number(match: re.Match[str]) -> str:
    text = match.group(0)
    groups = list(_GROUP.finditer(text))
    whole = _sensitive("".join(g.group(0) for g in groups).upper())
    if whole is not None:
        return whole
    # A sensitive number among other digits ("call 139 1234 5678 9"): mask the groups it
    # spans, at most 19 digits, leaving the rest as written.
    out, cursor, start = [], 0, 0
    while start < len(groups):
        found = None
        compact = ""
        for end in range(start, len(groups)):
            compact += groups[end].group(0).upper()
            if len(compact) > 19:
                break
            masked = _sensitive(compact)
            if masked is not None:
                found = (end, masked)
        if found is None:
            start += 1
            continue
        end, masked = found
        out.append(text[cursor : groups[start].start()])
        out.append(masked)
        cursor = groups[end].end()
        start = end + 1
    out.append(text[cursor:])
    return "".join(out)


def _mask_code(match: re.Match[str]) -> str:
    compact = re.sub(_SEP, "", match.group(0)).upper()
    return mask_id_number(compact) if uscc.is_valid(compact) else match.group(0)


def mask_text(text: str) -> str:
    text = _NUMBER.sub(_mask_number, _ascii_digits(text))
    text = _QUERY.sub(_mask_query, text)
    # Decoded until nothing changes (a value may be encoded twice), a few rounds at most.
    for _round in range(3):
        decoded = _PERCENT_RUN.sub(_decode_percent, text)
        if decoded == text:
            break
        text = decoded
    text = _NUMBER.sub(_mask_number, text)
    return _CODE.sub(_mask_code, text)


_TRACEBACKS = logging.Formatter()


class MaskSensitiveFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        # A traceback repeats the values it failed on; formatters print exc_text when set.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
