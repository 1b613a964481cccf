"""Normalisation of names, used to find likely duplicates."""

from __future__ import annotations

import re
import unicodedata

# Longest first, so 股份有限公司 is removed before 有限公司.
LEGAL_FORM_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "分公司",
    "合伙企业",
    "个体工商户",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "company limited",
    "corporation",
    "limited",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "llc",
)
_BRACKETS = re.compile(r"[()\[\]{}<>《》〈〉【】〔〕「」『』]")
_SPACE_PUNCT = re.compile(r"[\s·.,，。、\-_/]+")
# "Co., Ltd." and "Co.,Ltd." are one legal form: no space after a comma or full stop.
_SPACE_AFTER_PUNCT = re.compile(r"(?<=[,.])\s+")


def _is_legal_form_end(text: str, suffix: str) -> bool:
    """A Latin legal form is a word of its own: "Zinc" does not end in "Inc"."""
    if not text.endswith(suffix) or len(text) <= len(suffix):
        return False
    before = text[-len(suffix) - 1]
    return not (suffix[0].isascii() and before.isascii() and before.isalnum())


def name_key(name: str) -> str:
    """A comparable key: full-width to half-width, case folded, no brackets, spaces or legal form.

    ``北京星辰科技（集团）有限公司`` and ``北京星辰科技(集团)有限责任公司`` share a key.
    """
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _SPACE_AFTER_PUNCT.sub("", _BRACKETS.sub("", text))
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_FORM_SUFFIXES:
            stripped = text.rstrip(" ,.")
            if _is_legal_form_end(stripped, suffix):
                text = stripped[: -len(suffix)]
                changed = True
    return _SPACE_PUNCT.sub("", text)
