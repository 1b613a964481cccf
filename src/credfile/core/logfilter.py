"""A logging filter that masks ID numbers, mobile numbers and card numbers in every log line.

Search terms travel in URLs (/customers/?q=<ID number>), so request and server logs would
otherwise keep them in clear (JR/T 0171: C2 data is shown masked, in logs too).
"""

from __future__ import annotations

import logging
import re

from stdnum.cn import ric

from credfile.core.masking import mask_card, mask_id_number, mask_middle

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<!\d)(\d{15,19})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+|%2B)?86)?(1[3-9]\d{9})(?!\d)")


def mask_text(text: str) -> str:
    def id_number(match: re.Match[str]) -> str:
        value = match.group(1)
        return mask_id_number(value) if ric.is_valid(value.upper()) else value

    text = _ID.sub(id_number, text)
    text = _CARD.sub(lambda m: mask_card(m.group(1)), text)
    return _MOBILE.sub(lambda m: (m.group(1) or "") + mask_middle(m.group(2), 3, 4), text)


class MaskSensitiveFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
