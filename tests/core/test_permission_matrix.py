"""Every role × file scope × route that acts on a credit file, against docs/permissions.md.

The expected outcome of each cell is read from the matrix in docs/permissions.md; the
routes are every page and API route with a credit file in its URL. A route that is not
listed in ROUTES fails `test_every_route_on_a_file_is_in_the_matrix`, so a new page or
endpoint cannot skip the policy.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credfile.consent.models import Consent
from credfile.customers.models import Customer
from credfile.limits.models import OpenOrder
from credfile.retention.models import LegalHold
from tests import records
from tests.conftest import Personas, make_personas, shared_rows
from tests.documents import samples
from tests.factories import CustomerFactory, IndividualFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ACTIONS = ("view", "create", "edit", "delete", "export", "reveal", "rate", "lifecycle")


def read_matrix() -> dict[tuple[str, str], dict[str, bool]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- matrix:start -->")[1].split("<!-- matrix:end -->")[0]
    rows: dict[tuple[str, str], dict[str, bool]] = {}
    for line in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        role, scope, *marks = cells
        assert all(m in {"✓", "✗"} for m in marks), line
        rows[(role, scope)] = {a: m == "✓" for a, m in zip(ACTIONS, marks, strict=True)}
    return rows


MATRIX = read_matrix()


@dataclass(frozen=True)
class Route:
    """One way to act on a file: which action it is, and how to call it."""

    name: str  # the URL name, to check coverage
    action: str
    call: Callable[[Any, Customer], Any]
    api: bool = False
    individual: bool = False  # needs an individual's file (personal data)
    label: str = ""  # names the route in docs/permissions.md where the name is not enough

    @property
    def key(self) -> str:
        return self.label or self.name


def _web(
    method: str, name: str, *args: Any, data: dict[str, Any] | None = None, **headers: Any
) -> Callable[[Client, Customer], Any]:
    def call(client: Client, customer: Customer) -> Any:
        url = reverse(name, args=[customer.pk, *args])
        return getattr(client, method)(url, data or {}, **headers)

    return call


def _api(
    method: str, path: str, data: dict[str, Any] | None = None, query: str = ""
) -> Callable[[APIClient, Customer], Any]:
    def call(client: APIClient, customer: Customer) -> Any:
        url = f"/api/v1/customers/{customer.pk}/{path}{query}"
        return (
            getattr(client, method)(url, data or {}, format="json")
            if method != "get"
            else client.get(url)
        )

    return call


def _edit_form(client: Client, customer: Customer) -> Any:
    data = {
        "kind": customer.kind,
        "name": customer.name,
        "category": customer.category,
        "status": customer.status,
        "department": customer.department_id,
        "account_manager": customer.account_manager_id,
        "city": "天津市",
        "version": customer.version,
        "credit_code": customer.credit_code,
    }
    return client.post(reverse("customers:edit", args=[customer.pk]), data)


def _withdraw_consent(client: Any, customer: Customer) -> Any:
    consent = Consent.objects.create(
        customer=customer,
        purpose="marketing",
        scope="x",
        channel="paper",
        given_on=timezone.localdate(),
        evidence="box 1",
        recorded_by=customer.account_manager,
    )
    return client.post(
        reverse("consent:withdraw", args=[customer.pk, consent.pk]), {"reason": "撤回"}
    )


def _record_api(method: str, kind: str) -> Callable[[APIClient, Customer], Any]:
    """PATCH (a correction) or DELETE of a record of `kind` made in the file."""

    def call(client: APIClient, customer: Customer) -> Any:
        record = records.make(kind, customer)
        url = f"/api/v1/customers/{customer.pk}/{records.SEGMENTS[kind]}/{record.pk}/"
        if method == "patch":
            name, value = records.CORRECTION[kind]
            return client.patch(url, {name: str(value)}, format="json")
        return client.delete(url, {"reason": "录入错误"}, format="json")

    return call


def _record_page(view: str, kind: str) -> Callable[[Client, Customer], Any]:
    def call(client: Client, customer: Customer) -> Any:
        record = records.make(kind, customer)
        url = reverse(f"changes:{view}", args=[kind, record.pk])
        if view == "delete":
            return client.post(url, {"reason": "录入错误"})
        return client.get(url)

    return call


def _verify_contact(client: Client, customer: Customer) -> Any:
    contact = records.make("contact", customer)
    return client.post(reverse("customers:contact-verify", args=[customer.pk, contact.pk]))


def _document_web(name: str) -> Callable[[Client, Customer], Any]:
    def call(client: Client, customer: Customer) -> Any:
        document = samples.attach(customer)
        return client.get(reverse(name, args=[customer.pk, document.pk]))

    return call


def _hold_lift(client: Client, customer: Customer) -> Any:
    hold = LegalHold.objects.create(
        customer=customer, reason="诉讼", placed_by=customer.account_manager
    )
    return client.post(reverse("customer-lifecycle:hold-lift", args=[customer.pk, hold.pk]))


def _document_upload(client: Client, customer: Customer) -> Any:
    upload = SimpleUploadedFile("minutes.pdf", samples.PDF, content_type="application/pdf")
    data = {"file": upload, "document_type": "minutes", "title": "会议纪要"}
    return client.post(
        reverse("customer-documents:upload", args=[customer.pk]),
        {**data, "document_date": "2026-11-03"},
    )


def _document_api(method: str) -> Callable[[APIClient, Customer], Any]:
    def call(client: APIClient, customer: Customer) -> Any:
        base = f"/api/v1/customers/{customer.pk}/documents/"
        if method == "post":
            upload = SimpleUploadedFile("a.pdf", samples.PDF, content_type="application/pdf")
            data = {"file": upload, "document_type": "letter", "title": "t"}
            return client.post(base, {**data, "document_date": "2026-11-03"}, format="multipart")
        document = samples.attach(customer)
        if method == "download":
            return client.get(f"/api/v1/documents/{document.pk}/download/")
        if method == "patch":
            return client.patch(f"{base}{document.pk}/", {"title": "新标题"}, format="json")
        return client.delete(f"{base}{document.pk}/", {"reason": "重复上传"}, format="json")

    return call


def _invoice_actions(method: str) -> Callable[[Client, Customer], Any]:
    """The collection actions page of an open invoice of the file (POST records one)."""

    def call(client: Client, customer: Customer) -> Any:
        invoice = records.make("invoice", customer)
        url = reverse("followup:invoice-actions", args=[customer.pk, invoice.pk])
        if method == "post":
            today = timezone.localdate().isoformat()
            return client.post(url, {"kind": "call", "action_date": today})
        return client.get(url)

    return call


def _collection_action_api(client: APIClient, customer: Customer) -> Any:
    invoice = records.make("invoice", customer)
    return client.post(
        f"/api/v1/customers/{customer.pk}/collection-actions/",
        {"invoice": invoice.pk, "kind": "reminder"},
        format="json",
    )


def _close_order(client: Client, customer: Customer) -> Any:
    order = OpenOrder.objects.create(
        customer=customer, reference="SO-1", amount=Decimal("100"), kind="order"
    )
    url = reverse("customer-limits:order-close", args=[customer.pk, order.pk])
    return client.post(url, {"closed_as": "invoiced"})


COMPLAINT = {
    "complaint-received_at": "2026-01-05 09:00",
    "complaint-severity": "high",
    "complaint-category": "billing",
    "complaint-channel": "phone",
    "complaint-summary": "发票金额有误",
}


def _survey(customer: Customer, *, sent: bool = False) -> Any:
    """A CSAT questionnaire of one question (and, with `sent`, its sending to the file)."""
    from credfile.surveys.models import Question, Questionnaire, SurveyResponse

    owner = customer.account_manager
    questionnaire = Questionnaire.objects.create(
        name=f"满意度 {customer.pk}", kind="csat", created_by=owner
    )
    version = questionnaire.versions.create(number=1, created_by=owner)
    question = Question.objects.create(version=version, position=1, text="满意吗？")
    if not sent:
        return questionnaire, question
    response = SurveyResponse.objects.create(
        customer=customer,
        questionnaire=questionnaire,
        version=version,
        status="sent",
        sent_at=timezone.now(),
        recorded_by=owner,
    )
    return response, question


def _survey_record(client: Client, customer: Customer) -> Any:
    questionnaire, question = _survey(customer)
    url = reverse("customer-surveys:record", args=[customer.pk, questionnaire.pk])
    return client.post(url, {"channel": "phone", f"answer_{question.pk}": "5"})


def _survey_answer(client: Client, customer: Customer) -> Any:
    response, question = _survey(customer, sent=True)
    url = reverse("customer-surveys:answer", args=[customer.pk, response.pk])
    return client.post(url, {f"answer_{question.pk}": "4"})


NOTE = {"note-kind": "other", "note-dated": "2026-01-05", "note-subject": "s", "note-body": "b"}
SECTIONS = (
    "basic",
    "contacts",
    "financials",
    "transactions",
    "services",
    "notes",
    "consents",
    "reviews",
    "ratings",
    "risk",
    "limits",
    "documents",
    "complaints",
    "surveys",
    "events",
)
API_LISTS = (
    "contacts",
    "addresses",
    "financial-statements",
    "financial-analysis",
    "contracts",
    "invoices",
    "payments",
    "service-records",
    "notes",
    "consents",
    "reviews",
    "collection-actions",
    "ratings",
    "documents",
    "complaints",
)
LIMIT = {"amount": "1000", "currency": "CNY", "valid_until": "2099-12-31", "reason": "r"}
REVIEW = {"findings": "正常", "conclusion": "satisfactory"}
ORDER = {
    "order-reference": "SO-1",
    "order-amount": "100",
    "order-currency": "CNY",
    "order-kind": "order",
}

ROUTES: list[Route] = [
    Route("customers:detail", "view", _web("get", "customers:detail")),
    *[
        Route(
            "customers:section",
            "view",
            _web("get", "customers:section", s),
            label=f"customers:section {s}",
        )
        for s in SECTIONS
    ],
    Route("consent:report", "view", _web("get", "consent:report")),
    Route("customers:edit", "edit", _web("get", "customers:edit")),
    Route("customers:edit", "edit", _edit_form),
    Route("customers:add", "create", _web("post", "customers:add", "note", data=NOTE)),
    Route(
        "customers:add",
        "create",
        _web("post", "customers:add", "complaint", data=COMPLAINT),
        label="customers:add complaint",
    ),
    Route("customer-surveys:record", "create", _survey_record),
    Route("customer-surveys:answer", "create", _survey_answer),
    Route("consent:withdraw", "edit", _withdraw_consent),
    Route("customers:delete", "delete", _web("post", "customers:delete")),
    Route("customers:contact-verify", "edit", _verify_contact),
    Route(
        "api:customer-contact-verify",
        "edit",
        lambda c, cu: c.post(
            f"/api/v1/customers/{cu.pk}/contacts/{records.make('contact', cu).pk}/verify/"
        ),
        api=True,
    ),
    Route("changes:correct", "edit", _record_page("correct", "note")),
    Route("changes:delete", "edit", _record_page("delete", "note")),
    # A record is corrected and deleted by whoever may change the file (a deletion by
    # request where deletions need approval).
    *[
        Route(
            f"api:customer-{records.SEGMENTS[kind]}-detail",
            "edit",
            _record_api(method, kind),
            api=True,
            individual=kind in records.INDIVIDUAL_ONLY,
            label=f"{kind} {method}",
        )
        for kind in records.KINDS
        for method in ("patch", "delete")
    ],
    Route("customers:reveal", "reveal", _web("post", "customers:reveal", "basic")),
    # The edit form's reveal needs the edit right and the reveal right; edit implies reveal.
    Route("customers:edit-reveal", "edit", _web("post", "customers:edit-reveal")),
    Route(
        "customers:personal-data",
        "export",
        _web("post", "customers:personal-data", "json"),
        individual=True,
    ),
    Route("api:customer-detail", "view", _api("get", ""), api=True),
    Route("api:customer-detail", "edit", _api("patch", "", {"city": "天津市"}), api=True),
    Route("api:customer-detail", "delete", _api("delete", ""), api=True),
    Route("api:customer-detail", "reveal", _api("get", "", query="?reveal=true"), api=True),
    *[Route(f"api:customer-{s}", "view", _api("get", f"{s}/"), api=True) for s in API_LISTS],
    Route(
        "api:customer-individual-financials",
        "view",
        _api("get", "individual-financials/"),
        api=True,
        individual=True,
    ),
    Route(
        "api:customer-notes",
        "create",
        _api("post", "notes/", {"dated": "2026-01-05", "subject": "s", "body": "b"}),
        api=True,
    ),
    Route("customer-ratings:propose", "rate", _web("post", "customer-ratings:propose")),
    Route("customer-limits:request", "rate", _web("post", "customer-limits:request", data=LIMIT)),
    Route(
        "customer-limits:order-add", "rate", _web("post", "customer-limits:order-add", data=ORDER)
    ),
    Route("customer-limits:order-close", "rate", _close_order),
    Route("api:customer-watch", "view", _api("get", "watch/"), api=True),
    Route("api:customer-ratings", "rate", _api("post", "ratings/", {}), api=True),
    Route("customer-lifecycle:page", "view", _web("get", "customer-lifecycle:page")),
    Route("customer-lifecycle:settle", "lifecycle", _web("post", "customer-lifecycle:settle")),
    Route("customer-lifecycle:archive", "lifecycle", _web("post", "customer-lifecycle:archive")),
    Route(
        "customer-lifecycle:hold",
        "lifecycle",
        _web("post", "customer-lifecycle:hold", data={"reason": "诉讼未决"}),
    ),
    Route("customer-lifecycle:hold-lift", "lifecycle", _hold_lift),
    Route(
        "customer-lifecycle:deletion-request",
        "lifecycle",
        _web("post", "customer-lifecycle:deletion-request", data={"basis": "本人书面申请"}),
    ),
    Route(
        "api:customer-deletion-request",
        "lifecycle",
        _api("post", "deletion-request/", {"basis": "本人书面申请"}),
        api=True,
    ),
    Route("customer-documents:upload", "create", _document_upload),
    Route("customer-documents:download", "view", _document_web("customer-documents:download")),
    Route("customer-documents:preview", "view", _document_web("customer-documents:preview")),
    Route("api:customer-documents", "create", _document_api("post"), api=True),
    Route("api:document-download", "view", _document_api("download"), api=True),
    Route(
        "api:customer-documents-detail",
        "edit",
        _document_api("patch"),
        api=True,
        label="document patch",
    ),
    Route(
        "api:customer-documents-detail",
        "edit",
        _document_api("delete"),
        api=True,
        label="document delete",
    ),
    Route("followup:invoice-actions", "view", _invoice_actions("get")),
    Route("followup:invoice-actions", "create", _invoice_actions("post")),
    Route("api:customer-collection-actions", "create", _collection_action_api, api=True),
    Route("customer-review", "edit", _web("get", "customer-review")),
    Route("customer-review", "edit", _web("post", "customer-review", data=REVIEW)),
    Route("api:customer-reviews", "edit", _api("post", "reviews/", REVIEW), api=True),
    Route("api:credit-report", "view", _api("get", "credit-report/"), api=True),
    # The file printed: the role's files (view), never through a grant (docs/reports.md).
    Route("customer-reports:file", "view", _web("get", "customer-reports:file")),
    Route("api:customer-report-pdf", "view", _api("get", "report.pdf"), api=True),
    Route("history:list", "view", _web("get", "history:list")),
    Route("history:diff", "view", _web("get", "history:diff", data={"from": 1, "to": 1})),
    Route("history:as_of", "view", _web("get", "history:as_of", data={"date": "2026-01-01"})),
    Route("api:customer-versions", "view", _api("get", "versions/"), api=True),
    Route(
        "api:customer-versions-diff",
        "view",
        _api("get", "versions/diff/", query="?from=1&to=1"),
        api=True,
    ),
    Route("api:customer-as-of", "view", _api("get", "as-of/", query="?date=2026-01-01"), api=True),
    Route("api:personal-data", "export", _api("get", "personal-data/"), api=True, individual=True),
    Route(
        "api:consent-withdraw",
        "edit",
        lambda c, cu: c.post(
            f"/api/v1/customers/{cu.pk}/consents/"
            f"{Consent.objects.create(customer=cu, purpose='marketing', scope='x', channel='paper', given_on=timezone.localdate(), evidence='b', recorded_by=cu.account_manager).pk}"  # noqa: E501
            "/withdraw/",
            {"reason": "撤回"},
            format="json",
        ),
        api=True,
    ),
    # The file's timeline: every kind the reader's sections show.
    Route("customers:timeline", "view", _web("get", "customers:timeline")),
    Route("api:customer-timeline", "view", _api("get", "timeline/"), api=True),
    Route("api:customer-events", "view", _api("get", "events/"), api=True),
]
# Routes with a file in the URL that are not acting on it through the matrix' actions.
EXEMPT = {"customers:list", "customers:new"}


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            found.append((f"{namespace}:{p.name}" if namespace else p.name, str(p.pattern)))
    return found


def test_every_route_on_a_file_is_in_the_matrix() -> None:
    covered = {r.name.removeprefix("api:") for r in ROUTES}
    missing = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in EXEMPT or not re.search(r"<(?:int|id):(pk|customer_pk)>", pattern):
            continue
        on_a_file = (
            name.startswith("customers:")
            or "customer_pk" in pattern
            or name in {"customer-detail", "customer-review"}
        )
        if on_a_file and name not in covered:
            missing.append(f"{name} ({pattern})")
    assert not missing, f"routes acting on a credit file with no matrix check: {missing}"


CASES = [(role, scope, index) for (role, scope) in MATRIX for index in range(len(ROUTES))]


def _file(personas: Any, role: str, scope: str, individual: bool) -> Customer:
    user = getattr(personas, role)
    factory = IndividualFactory if individual else CustomerFactory
    if scope == "own":
        return factory(department=user.department, account_manager=user)
    if scope == "dept":
        colleague = personas.colleague if user != personas.colleague else personas.account_manager
        return factory(department=user.department, account_manager=colleague)
    return factory(department=personas.other, account_manager=personas.outsider)


@dataclass
class MatrixFiles:
    personas: Personas
    # (role, scope, individual?) → a file in that scope of that role's user.
    files: dict[tuple[str, str, bool], Customer]


# Class-scoped: made once for the class below, kept until its last case.
@pytest.fixture(scope="class")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[MatrixFiles]:
    with shared_rows(django_db_blocker):
        personas = make_personas()
        files = {
            (role, scope, individual): _file(personas, role, scope, individual)
            for (role, scope) in MATRIX
            for individual in (False, True)
        }
        yield MatrixFiles(personas, files)


class TestEveryRoleOnEveryRoute:
    """Every route for every role and scope over the same files, made once for the class;
    each case's own writes (an allowed change, a deletion) are rolled back after it."""

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        ("role", "scope", "index"),
        CASES,
        ids=[f"{r}-{s}-{ROUTES[i].name}-{ROUTES[i].action}-{i}" for r, s, i in CASES],
    )
    def test_the_route_obeys_the_matrix(
        self, matrix_world: MatrixFiles, client_for: Any, role: str, scope: str, index: int
    ) -> None:
        route = ROUTES[index]
        user = getattr(matrix_world.personas, role)
        # A copy: what a case does to the object in memory stays out of the next case.
        customer = copy.deepcopy(matrix_world.files[(role, scope, route.individual)])
        if route.api:
            client: Any = APIClient()
            client.force_authenticate(user)
        else:
            client = client_for(user)
        allowed = MATRIX[(role, scope)][route.action]
        may_view = MATRIX[(role, scope)]["view"]
        response = route.call(client, customer)
        if allowed:
            assert response.status_code < 400, (
                response.status_code,
                getattr(response, "context", None)
                and response.context.get("form")
                and response.context["form"].errors,
            )
        elif not may_view:
            assert response.status_code == 404, response.status_code  # never confirm it exists
        else:
            assert response.status_code == (403 if route.api else 404), response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "scope"), list(MATRIX))
def test_lists_show_exactly_the_files_in_view_scope(
    personas, client_for, role: str, scope: str
) -> None:
    customer = _file(personas, role, scope, False)
    user = getattr(personas, role)
    visible = MATRIX[(role, scope)]["view"]
    page = client_for(user).get(reverse("customers:list"))
    assert (customer.name in page.content.decode()) is visible
    api = APIClient()
    api.force_authenticate(user)
    rows = api.get("/api/v1/customers/").json()["results"]
    assert (customer.pk in [r["id"] for r in rows]) is visible
    found = api.get("/api/v1/customers/", {"q": customer.code}).json()["results"]
    assert bool(found) is visible
