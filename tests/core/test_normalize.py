"""Names that a person would call the same share one key; different names do not."""

from __future__ import annotations

import pytest

from credfile.core.normalize import name_key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Full-width and half-width brackets, letters and spaces.
        ("北京星辰科技（集团）有限公司", "北京星辰科技(集团)有限公司"),
        ("ＡＢＣ贸易有限公司", "ABC贸易有限公司"),
        ("北京　星辰　科技", "北京 星辰 科技"),
        # Other bracket styles.
        ("【北京】星辰科技有限公司", "北京星辰科技有限公司"),
        ("《星辰》传媒有限公司", "星辰传媒有限公司"),
        # Legal forms.
        ("北京星辰科技有限公司", "北京星辰科技有限责任公司"),
        ("北京星辰科技有限公司", "北京星辰科技股份有限公司"),
        ("北京星辰科技有限公司", "北京星辰科技"),
        ("北京星辰科技（集团）有限公司", "北京星辰科技(集团)有限责任公司"),
        # Spaces and punctuation anywhere.
        ("北京 星辰科技 有限公司", "北京星辰科技有限公司"),
        ("  北京星辰科技有限公司  ", "北京星辰科技有限公司"),
        ("北京·星辰科技", "北京星辰科技"),
        # Latin names: case and the usual English legal forms.
        ("Star Tech Inc.", "STAR TECH"),
        ("ABC Trading Co.,Ltd.", "abc trading"),
        ("ABC Trading Co., Ltd.", "ABC Trading Co.,Ltd."),
        ("ABC Trading Co. Ltd", "ABC Trading Limited"),
        ("Garlic LLC", "garlic"),
    ],
)
def test_it_gives_names_that_differ_only_in_form_the_same_key(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("北京星辰科技有限公司", "上海星辰科技有限公司"),
        ("北京星辰科技有限公司", "北京星辰软件有限公司"),
        ("张伟", "张玮"),
        # Legal-form words inside a name are part of the name.
        ("Zinc", "Z"),
        ("Fabrinc Trading", "Fabr Trading"),
        ("Unlimited Ltd", "Un"),
    ],
)
def test_it_keeps_different_names_apart(first: str, second: str) -> None:
    assert name_key(first) != name_key(second)


def test_it_removes_every_trailing_legal_form_and_bracket() -> None:
    assert name_key("北京星辰科技（集团）股份有限公司") == "北京星辰科技集团"


def test_it_keeps_a_name_that_is_only_a_legal_form() -> None:
    assert name_key("有限公司") != ""


def test_it_keeps_a_latin_word_that_ends_like_a_legal_form() -> None:
    assert name_key("Zinc") == "zinc"
    assert name_key("Magic Inc.") == "magic"
