"""No log line keeps a full ID, mobile or card number."""

from __future__ import annotations

import logging
import sys

import pytest

from credfile.core.logfilter import MaskSensitiveFilter, mask_text
from tests.factories import resident_id


def test_it_masks_id_mobile_and_card_numbers_in_text() -> None:
    number = resident_id(7)
    line = f'"GET /customers/{number}/ HTTP/1.1" 404 mobile=+8613812345678 card=6222021234567890123'
    masked = mask_text(line)
    assert number not in masked and "13812345678" not in masked
    assert "6222021234567890123" not in masked
    assert number[:6] + "********" + number[-4:] in masked
    assert "138****5678" in masked


def test_ordinary_numbers_are_left_alone() -> None:
    assert mask_text("order 12345 paid 2026-01-02, amount 1234567.89") == (
        "order 12345 paid 2026-01-02, amount 1234567.89"
    )


def test_search_terms_in_a_logged_url_are_dropped() -> None:
    masked = mask_text('"GET /customers/?q=%E5%BC%A0%E4%B8%89&page=2 HTTP/1.1" 200 512')
    assert masked == '"GET /customers/?q=<masked>&page=2 HTTP/1.1" 200 512'


@pytest.mark.parametrize(
    "name", ["", "django", "django.server", "django.request", "django.security", "credfile"]
)
def test_every_configured_log_handler_masks(name: str) -> None:
    logger = logging.getLogger(name)
    while logger is not None and not logger.handlers and logger.propagate:
        logger = logger.parent  # type: ignore[assignment]
    assert logger is not None, name
    # pytest adds capture handlers of its own; the configured ones are the rest.
    handlers = [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
    assert handlers, name
    for handler in handlers:
        assert any(isinstance(f, MaskSensitiveFilter) for f in handler.filters), (name, handler)


def test_a_traceback_is_masked_too() -> None:
    number = resident_id(8)
    try:
        raise ValueError(f"bad search q={number[:6]} {number[6:14]} {number[14:]}")
    except ValueError:
        record = logging.LogRecord("credfile", logging.ERROR, __file__, 1, "failed", (), None)
        record.exc_info = sys.exc_info()
    MaskSensitiveFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "Traceback" in text and number[6:14] not in text
