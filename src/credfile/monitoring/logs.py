"""JSON log lines (CREDFILE_LOG_FORMAT=json), one object a line, for a log collector.

The masking filter (credfile.core.logfilter) runs on the handler before this formatter, as in
plain mode, and masks the message and the traceback text. A JSON line carries more than the
plain one, though: python-json-logger formats the exception again from exc_info and adds
every extra attribute of the record (Django's request log adds the request, whose repr holds
the URL with its query). So every string that goes out is masked here once more.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from credfile.core.logfilter import mask_text

FIELDS = ("asctime", "levelname", "name", "message")
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
_PLAIN = (str, int, float, bool, type(None))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    if isinstance(value, _PLAIN):
        return value
    # An object (a request, a socket): its text, masked; never the object's own encoding.
    return mask_text(str(value))


class MaskedJsonFormatter(JsonFormatter):
    """python-json-logger's formatter, with every value masked and the request's id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", list(FIELDS))
        kwargs.setdefault("rename_fields", RENAMED)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Django's request log passes the request itself; its URL is already in the message.
        log_data.pop("request", None)
        return {key: _masked(value) for key, value in log_data.items()}


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being answered (its X-Request-ID header) to each record:
    from the request context, or from the request a record of Django's request log names."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Imported here: logging is configured before the apps are loaded.
        from credfile.core.middleware import REQUEST_ID_KEY, current_request_context

        if hasattr(record, "request_id"):
            return True
        context = current_request_context()
        if context is not None:
            record.request_id = context.request_id
            return True
        meta = getattr(getattr(record, "request", None), "META", None)
        if isinstance(meta, dict) and REQUEST_ID_KEY in meta:
            record.request_id = meta[REQUEST_ID_KEY]
        return True
