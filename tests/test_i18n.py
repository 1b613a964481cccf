"""The zh_Hans and en catalogues are complete, compiled, and match the strings in the source."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

import credfile
from credfile.core.identifiers import clean_resident_id

PACKAGE_DIR = Path(credfile.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
LANGUAGES = ["zh_Hans", "en"]
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXr]|%[sdif]|\{\{.*?\}\}"
)

Key = tuple[str, str, str]


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


def key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences)
    return f"{entry.msgid!r} ({where})"


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def translations(entry: polib.POEntry | polib.MOEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def makemessages_hint() -> str:
    return (
        "Run `make messages` (or, in src/credfile, "
        "`../../.venv/bin/credfile makemessages -l zh_Hans -l en --no-obsolete "
        "--ignore 'static/*'`), translate the new entries, then compile them with "
        "`../../.venv/bin/credfile compilemessages -l zh_Hans -l en`."
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language: str) -> None:
    po = polib.pofile(str(po_path(language)))
    assert not po.metadata_is_fuzzy, f"{language}: the catalogue header is marked fuzzy"
    assert po.metadata["Language"] == language
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    expected = "nplurals=1; plural=0;" if language == "zh_Hans" else "nplurals=2; plural=(n != 1);"
    assert po.metadata["Plural-Forms"] == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language: str) -> None:
    po = polib.pofile(str(po_path(language)))
    nplurals = 1 if language == "zh_Hans" else 2
    fuzzy = [describe(e) for e in live_entries(po) if "fuzzy" in e.flags]
    untranslated = [describe(e) for e in live_entries(po) if not e.translated()]
    wrong_plurals = [
        describe(e)
        for e in live_entries(po)
        if e.msgid_plural and sorted(e.msgstr_plural) != list(range(nplurals))
    ]
    assert not fuzzy, f"{language}: fuzzy entries to check:\n" + "\n".join(fuzzy)
    assert not untranslated, f"{language}: untranslated entries:\n" + "\n".join(untranslated)
    assert not wrong_plurals, (
        f"{language}: plural entries need exactly {nplurals} msgstr forms:\n"
        + "\n".join(wrong_plurals)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    po = polib.pofile(str(po_path(language)))
    wrong = []
    for entry in live_entries(po):
        if not entry.translated():
            continue  # reported by test_every_entry_is_translated
        source = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in translations(entry):
            if set(PLACEHOLDER.findall(text)) != source:
                wrong.append(f"{describe(entry)} → {text!r}")
    assert not wrong, f"{language}: placeholders differ from the source:\n" + "\n".join(wrong)


def test_english_catalogue_repeats_the_source() -> None:
    po = polib.pofile(str(po_path("en")))
    wrong = [
        describe(e)
        for e in live_entries(po)
        if translations(e) != ([e.msgid, e.msgid_plural] if e.msgid_plural else [e.msgid])
    ]
    assert not wrong, "en: msgstr differs from msgid:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language: str) -> None:
    assert mo_path(language).exists(), f"{mo_path(language)} is missing. " + makemessages_hint()
    po = polib.pofile(str(po_path(language)))
    expected = {key(e): translations(e) for e in live_entries(po) if e.translated() and e.msgid}
    mo = polib.mofile(str(mo_path(language)))
    compiled = {key(e): translations(e) for e in mo if e.msgid}
    stale = sorted(k[1] for k in expected.keys() - compiled.keys())
    extra = sorted(k[1] for k in compiled.keys() - expected.keys())
    changed = sorted(k[1] for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not (stale or extra or changed), (
        f"{language}: django.mo is out of date with django.po "
        f"(missing {stale[:10]}, extra {extra[:10]}, changed {changed[:10]}). "
        + makemessages_hint()
    )


def extract_source_messages(tmp_path: Path) -> polib.POFile:
    """Run makemessages over a copy of the package, so the committed files stay untouched."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail(
            "xgettext and msgmerge are missing, so the catalogues cannot be checked against "
            "the source. Install GNU gettext (Debian/Ubuntu: apt-get install gettext; "
            "macOS: brew install gettext)."
        )
    copy = tmp_path / "credfile"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "static", "locale", "*.pyc"),
    )
    (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def test_catalogues_hold_every_message_in_the_source(tmp_path: Path) -> None:
    extracted = extract_source_messages(tmp_path)
    found = {key(e): e for e in live_entries(extracted) if e.msgid}
    assert len(found) > 100, "makemessages found suspiciously few messages in the package"
    outside = sorted(
        {path for e in found.values() for path, _line in e.occurrences if path.startswith("..")}
    )
    assert not outside, f"makemessages scanned files outside the package: {outside[:10]}"
    for language in LANGUAGES:
        committed = {key(e) for e in live_entries(polib.pofile(str(po_path(language))))}
        missing = [describe(found[k]) for k in sorted(found.keys() - committed)]
        assert not missing, (
            f"{language}: {len(missing)} message(s) in the source are not in the catalogue:\n"
            + "\n".join(missing)
            + "\n"
            + makemessages_hint()
        )


def test_committed_catalogues_reference_only_package_files() -> None:
    for language in LANGUAGES:
        po = polib.pofile(str(po_path(language)))
        bad = sorted(
            {
                path
                for e in live_entries(po)
                for path, _line in e.occurrences
                if path.startswith(("..", "/")) or "site-packages" in path or ".venv" in path
            }
        )
        assert not bad, f"{language}: catalogue references files outside the package: {bad}"


EAGER_GETTEXT = {"gettext", "ngettext", "pgettext", "npgettext"}


def eager_calls_at_import(source: str) -> list[tuple[int, str]]:
    """Calls of the non-lazy gettext functions outside any function: they run once, at import,
    in whatever language is active then, and never follow the user's language."""
    tree = ast.parse(source)
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER_GETTEXT
    }
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id in names
            ):
                found.append((child.lineno, ast.unparse(child)))
            visit(child)

    if names:
        visit(tree)
    return found


def test_no_message_is_translated_once_at_import() -> None:
    eager = [
        f"{path.relative_to(PACKAGE_DIR)}:{line}: {call}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if "migrations" not in path.parts
        for line, call in eager_calls_at_import(path.read_text(encoding="utf-8"))
    ]
    assert not eager, (
        "Module- or class-level strings must use gettext_lazy, or they stay in the language "
        "active at import:\n" + "\n".join(eager)
    )


@pytest.mark.django_db
def test_customer_list_follows_accept_language(personas, client_for) -> None:  # type: ignore[no-untyped-def]
    url = reverse("customers:list")
    chinese = client_for(personas.account_manager, "zh-hans").get(url)
    assert chinese.status_code == 200
    page = chinese.content.decode()
    assert re.search(r"<h1[^>]*>\s*客户\s*</h1>", page), "the zh-hans heading is not 客户"
    assert "退出登录" in page
    assert '<html lang="zh-hans"' in page or "zh-hans" in chinese.headers["Content-Language"]

    english = client_for(personas.account_manager, "en").get(url)
    assert english.status_code == 200
    page = english.content.decode()
    assert re.search(r"<h1[^>]*>\s*Customers\s*</h1>", page), "the en heading is not Customers"
    assert "Log out" in page
    assert "客户</h1>" not in page


def test_validation_messages_are_translated() -> None:
    # The messages are lazy: read them while the language is still active.
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as zh:
            clean_resident_id("110105194912310021")
        assert zh.value.messages == ["身份证号码的校验码不正确。"]

    with translation.override("en"):
        with pytest.raises(ValidationError) as en:
            clean_resident_id("110105194912310021")
        assert en.value.messages == ["The check digit of this ID number is wrong."]


def test_lazy_labels_are_translated() -> None:
    from credfile.customers.choices import CustomerStatus

    with translation.override("zh-hans"):
        assert str(CustomerStatus.DORMANT.label) == "休眠"
        assert translation.ngettext("%(days)s day", "%(days)s days", 3) == "%(days)s 天"
    with translation.override("en"):
        assert str(CustomerStatus.DORMANT.label) == "Dormant"
        assert translation.ngettext("%(days)s day", "%(days)s days", 3) == "%(days)s days"
