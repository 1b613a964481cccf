"""Every command answers in the shell's language: Chinese for a Chinese locale, else English."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.cli.conftest import shell_locale
from tests.cli.test_readme import VENV, environment
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def run(*args: Any, **options: Any) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        return f"{out.getvalue()}{err.getvalue()}{exc}"
    return out.getvalue() + err.getvalue()


def answers(personas: Personas) -> list[str]:
    """A success, refusals and reports from several commands."""
    return [
        run("adddepartment", "QA1", "质量部"),
        run("adddepartment", "QA1", "质量部"),
        run("keys", "init"),
        run("jobs", "status"),
        run("personaldata", "C00000001", "--as", "nobody"),
        run("addcustomer", "--as", personas.account_manager.username, "--kind", "individual"),
        run("otp", "reset", "nobody"),
        run("audit", "verify"),
    ]


CHINESE = ["已创建部门", "已存在", "密钥文件", "从未运行", "启用状态的用户", "审计摘要"]
ENGLISH = ["Created department", "exists already", "key file", "never run", "no active user"]


@pytest.mark.parametrize(
    "environ",
    [
        {"LANG": "zh_CN.UTF-8"},
        {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"},
        {"LANGUAGE": "zh_CN"},
    ],
)
def test_a_chinese_shell_gets_chinese_answers(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]
) -> None:
    shell_locale(monkeypatch, **environ)
    text = "\n".join(answers(personas))
    for phrase in CHINESE:
        assert phrase in text, (phrase, text)
    for phrase in ENGLISH:
        assert phrase not in text, (phrase, text)


@pytest.mark.parametrize(
    "environ", [{"LANG": "en_US.UTF-8"}, {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}]
)
def test_an_english_shell_gets_english_answers(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]
) -> None:
    shell_locale(monkeypatch, **environ)
    text = "\n".join(answers(personas))
    for phrase in ENGLISH:
        assert phrase in text, (phrase, text)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("质量部", "")), text


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("zh_CN.UTF-8", ["要添加的客户数", "跳过系统检查", "用法："], "number of customers to add"),
        ("en_US.UTF-8", ["number of customers to add", "Skip system checks", "usage:"], "要添加"),
    ],
)
def test_help_is_in_the_shells_language(
    tmp_path: Path, language: str, expected: list[str], absent: str
) -> None:
    result = subprocess.run(
        [str(VENV / "bin" / "credfile"), "help", "demo"],
        env=environment(LANG=language, CREDFILE_HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert all(phrase in result.stdout for phrase in expected), result.stdout
    assert absent not in result.stdout
    if language.startswith("zh"):
        # Django's options for every command are in Chinese as well.
        assert "Skip system checks" not in result.stdout


@pytest.mark.parametrize(
    ("environ", "missing", "not_a_number"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "缺少以下参数：code, name", "参数 --customers：'x' 不是整数"),
        (
            {"LANG": "en_US.UTF-8"},
            "the following arguments are required: code, name",
            "argument --customers: 'x' is not a whole number",
        ),
    ],
)
def test_argument_errors_are_in_the_shells_language(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], missing: str, not_a_number: str
) -> None:
    shell_locale(monkeypatch, **environ)
    assert missing in run("adddepartment")
    assert not_a_number in run("demo", "--customers", "x")
