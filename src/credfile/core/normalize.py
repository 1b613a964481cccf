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


def name_key(name: str) -> str:
    """A comparable key: full-width to half-width, case folded, no brackets, spaces or legal form.

    ``北京星辰科技（集团）有限公司`` and ``北京星辰科技(集团)有限责任公司`` share a key.
    """
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _BRACKETS.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_FORM_SUFFIXES:
            stripped = text.rstrip(" ,.")
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                text = stripped[: -len(suffix)]
                changed = True
    return _SPACE_PUNCT.sub("", text)

