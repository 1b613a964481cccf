"""Every page each role can reach speaks the page's language only (data aside).

For each demo role, in Chinese and in English, a walk follows the same-site GET links from
the customer list (the navbar, the lists, a file page and what it links to) and reads the
text a user sees: text nodes and the title, placeholder, aria-label and alt attributes. An
English page may hold Chinese only inside data values; a Chinese page may hold English words
only inside data values or as the few codes and proper names below. Data values are read
from the database rows users typed in (customers, contacts, notes, departments, accounts …),
not from text the system wrote, such as notifications: those must follow the language too.
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.utils import timezone

from credfile.access.services import application_approve, application_create
from credfile.accounts.models import User
from credfile.changes.models import ChangeRequest
from credfile.changes.services import customer_edit
from credfile.core.permissions import can_open_files
from credfile.customers.models import Customer
from credfile.demo.loader import load_demo
from credfile.retention.models import RetentionRuleChange
from credfile.reviews.jobs import run_due
from credfile.reviews.models import Review
from credfile.reviews.services import review_submit

pytestmark = pytest.mark.django_db

ROLES = ("manager", "head", "credit", "executive", "auditor", "admin")
LANGUAGES = ("zh-hans", "en")

# Not followed: leaving, downloads and exports, revealing sensitive values (audited), and
# anything that deletes; the admin site and the API documentation are Django's and
# Swagger's own pages.
SKIP = re.compile(
    r"logout|download|export|reveal|personal-data|delete|remove|/static/|/i18n/|^/admin/|^/api/"
)
MAX_PAGES = 120
# Pages of one shape (the same path with other ids, the same filters) visited at most twice.
PER_SHAPE = 3

# Codes and proper names that stay as they are on a Chinese page.
ALLOWED_WORDS = {
    "credfile",
    "API",
    "ID",
    "IP",
    "CSV",
    "Excel",
    "xlsx",
    "UTF",  # UTF-8, the name of a file encoding
    "JSON",
    "TOTP",
    "OTP",
    "QR",
    "URL",
    "CNY",
    "USD",
    "EUR",
    "HKD",
    "JPY",
    "GBP",
    "English",  # the language switcher names each language in itself
    "GET",
    "POST",
    # File formats, named as they are in Chinese too.
    "PDF",
    "PNG",
    "JPEG",
    "GIF",
    "WebP",
    "docx",
    "eml",
    "Word",
    "zip",
    "MB",
    "SHA",
    # Credit grades (三等九级) are written in Latin letters in Chinese too.
    "AAA",
    "AA",
    "BBB",
    "BB",
    "CCC",
    "CC",
    # The statistical scorecard's measures go by these abbreviations in Chinese too.
    "IV",
    "WOE",
    "KS",
    "AUC",
    "ROC",
    "PSI",
    "PDO",
    # Satisfaction scores go by these abbreviations in Chinese too (客户满意度 CSAT, 净推荐值 NPS).
    "CSAT",
    "NPS",
}
# A URL path (/api/v1/auth/token/) is a code in either language.
PATH = re.compile(r"(?<![\w/])/[\w.-]+(?:/[\w.-]*)+")
# The language switcher's own name for Chinese, on English pages.
LANGUAGE_NAMES = ("简体中文", "English")
# Apps whose text columns hold what users typed; the audit trail, notifications and job
# summaries hold text credfile wrote and are not data for this purpose.
DATA_APPS = (
    "accounts",
    "customers",
    "financials",
    "transactions",
    "interactions",
    "consent",
    "access",
    "changes",
    "reviews",
    "followup",
    "limits",
    "documents",
    "retention",
    "complaints",
    "surveys",
    "events",
)
SYSTEM_MODELS = {"reviews.notification", "reviews.jobrun", "changes.changenotification"}
SYSTEM_FIELDS = {"target_type", "name_key", "password"}

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")
# A word of letters only: letters inside a code with digits (C00000001, a request id in hex)
# belong to the code.
LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")
MASK = " \x00 "


class _Text(HTMLParser):
    """The text a user reads on the page, with where it came from."""

    # Code samples (an API call, a command) are code in either language.
    SKIP_TAGS = {"script", "style", "template", "code", "kbd", "samp"}
    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.SKIP_TAGS:
            self._skipping += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP_TAGS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.parts.append(data)


def _strings(value: Any) -> list[str]:
    """The string values (not the keys) inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def data_values() -> list[str]:
    """Every text users entered, longest first (so a name masks before its parts)."""
    # The time zone's name (Asia/Shanghai) is a code shown where times are.
    values: set[str] = {*LANGUAGE_NAMES, str(settings.TIME_ZONE)}
    for label in DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in SYSTEM_MODELS:
                continue
            names = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and not f.name.endswith(("_enc", "_bidx"))
                and f.name not in SYSTEM_FIELDS
            ]
            for row in model._default_manager.values_list(*names) if names else []:
                for value in row:
                    if value and len(value) >= 2:
                        values.add(value)
                        if "@" in value:  # masked e-mail addresses show the domain
                            values.add(value.split("@", 1)[1])
    # Proposed values are data too; they are kept sealed or as JSON.
    for request in ChangeRequest.objects.all():
        values.update(v for v in _strings(request.proposal) if len(v) >= 2)
    for change in RetentionRuleChange.objects.all():
        values.update(v for v in _strings(change.fields) if len(v) >= 2)
    for review in Review.objects.all():
        values.update(v for v in _strings(review.proposed_changes) if len(v) >= 2)
    for customer in Customer.objects.all():
        for value in (customer.phone, customer.bank_account, customer.id_number):
            if value:
                values.add(str(value))
    return sorted(values, key=len, reverse=True)


@dataclass
class Finding:
    url: str
    text: str


@dataclass
class Walk:
    visited: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    broken: list[tuple[str, int]] = field(default_factory=list)


def _shape(url: str) -> str:
    parts = urlsplit(url)
    query = sorted(
        (k, re.sub(r"\d+", "N", v)) for k, v in parse_qsl(parts.query) if k not in {"cursor"}
    )
    return re.sub(r"\d+", "N", parts.path) + "?" + urlencode(query)


def _mask(text: str, values: list[str], wanted: re.Pattern[str]) -> str:
    """The text with every data value that holds a character of the other language blanked."""
    tokens = set(wanted.findall(text))
    if not tokens:
        return text
    for value in values:
        if wanted.search(value) and value in text:
            text = text.replace(value, MASK)
    return text


def _offending(text: str, language: str, values: list[str]) -> list[str]:
    if language == "en":
        masked = _mask(text, values, CJK)
        return [m.group() for m in CJK.finditer(masked)]
    masked = _mask(PATH.sub(MASK, text), values, LATIN)
    return [w for w in LATIN.findall(masked) if w not in ALLOWED_WORDS]


def walk(client: Client, language: str, values: list[str], starts: list[str]) -> Walk:
    result = Walk()
    queue: deque[str] = deque(starts)
    seen: set[str] = set(starts)
    shapes: dict[str, int] = {}
    while queue and len(result.visited) < MAX_PAGES:
        url = queue.popleft()
        shape = _shape(url)
        if shapes.get(shape, 0) >= PER_SHAPE:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        result.visited.append(url)
        if response.status_code in {301, 302}:
            target = response["Location"]
            if target.startswith("/") and target not in seen and not SKIP.search(target):
                seen.add(target)
                queue.append(target)
            continue
        # A link on a page must not lead to "not found" (what is outside a user's scope is a
        # 404); a 403 is a refusal that explains itself, such as a credit report without the
        # consent, and is read like any page. A start address may be a 404 on purpose.
        if response.status_code >= 500 or (response.status_code == 404 and url not in starts):
            result.broken.append((url, response.status_code))
        if response.status_code >= 500:
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        for part in parser.parts:
            for bad in _offending(" ".join(part.split()), language, values):
                result.findings.append(Finding(url, f"{bad!r} in {part.strip()[:120]!r}"))
        for href in parser.links:
            link = href.split("#", 1)[0]
            if not link.startswith("/") or link.startswith("//") or SKIP.search(link):
                continue
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return result


@pytest.fixture
def demo() -> dict[str, User]:
    """A small demo instance after its first day: jobs run, an application decided and one
    waiting, a change awaiting approval, a review recorded."""
    load_demo(customers=12, seed=7, as_of=timezone.localdate(), parallel=False)
    users = {u.username: u for u in User.objects.filter(username__in=ROLES)}
    run_due(force=True)
    manager, head, executive = users["manager"], users["head"], users["executive"]
    mine = Customer.objects.filter(account_manager=manager).order_by("pk")
    others = Customer.objects.exclude(department=manager.department).order_by("pk")
    today = timezone.localdate()
    for n, other in enumerate(others[:2]):
        application = application_create(
            actor=manager,
            customer=other,
            sections=["basic", "transactions"],
            purpose="核对该客户的往来账款，准备合同续签",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=7),
        )
        if n == 0:
            application_approve(actor=executive, application=application, note="同意")
    first = mine.first()
    assert first is not None
    customer_edit(
        actor=manager, customer=first, fields={"name": first.name + "（更名）"}, reason="工商变更"
    )
    review_submit(
        actor=head,
        customer=mine.last() or first,
        findings="资料齐全，经营正常",
        conclusion="satisfactory",
    )
    return users


def _report(walk_result: Walk) -> str:
    lines = [f"{f.url}: {f.text}" for f in walk_result.findings[:400]]
    lines += [f"{url}: HTTP {status}" for url, status in walk_result.broken]
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_speaks_only_the_pages_language(
    demo: dict[str, User], client_for: Any, role: str, language: str
) -> None:
    values = data_values()
    # Besides the list, a file of each kind: their pages differ (and for a role that opens
    # no files, the page that says so).
    files = [
        f"/customers/{Customer.objects.filter(kind=kind).order_by('pk').first().pk}/"  # type: ignore[union-attr]
        for kind in ("individual", "organization")
    ]
    result = walk(client_for(demo[role], language), language, values, ["/customers/", *files])

    # The walk went beyond the list: into the other lists and, for those who open files,
    # into files and their sections.
    assert len(result.visited) >= 12, result.visited
    if can_open_files(demo[role]):
        assert any(re.match(r"^/customers/\d+/$", url) for url in result.visited)
        assert any(re.match(r"^/customers/\d+/\w+/$", url) for url in result.visited)
    assert not result.broken and not result.findings, (  # a page that fails is a finding too
        f"{len(result.findings)} texts in the other language on {role}'s {language} pages "
        f"({len(result.visited)} pages walked):\n{_report(result)}"
    )


def test_the_walk_finds_text_of_the_other_language() -> None:
    # The checker itself: a template word is caught, a data value is not.
    values = ["北京星辰科技有限公司", "Beijing Star Ltd"]
    assert _offending("Customer 北京星辰科技有限公司 opened", "en", values) == []
    assert _offending("Customer 北京星辰科技有限公司 已开立", "en", values) == ["已开立"]
    assert _offending("客户 Beijing Star Ltd 已开立", "zh-hans", values) == []
    assert _offending("客户 Beijing Star Ltd opened", "zh-hans", values) == ["opened"]
    assert _offending("导出 CSV · credfile", "zh-hans", values) == []
    assert _offending("向 POST /api/v1/auth/token/ 申请令牌", "zh-hans", values) == []
    assert _offending("请求编号 ddf20e5369274505be3bd3be74499663", "zh-hans", values) == []
    assert _offending("字段 valid_until", "zh-hans", values) == ["valid", "until"]
