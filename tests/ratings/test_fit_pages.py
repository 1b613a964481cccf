"""The fit page: a card fitted on an uploaded CSV, its report with charts, bad files refused
with their field's error, and a fitted card made a version another credit manager publishes."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.ratings.cards import card_problems
from credfile.ratings.inputs import INPUTS
from credfile.ratings.models import Rating, ScorecardFit, ScorecardVersion
from credfile.ratings.services import rating_propose
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.ratings.conftest import known_effects
from tests.ratings.test_services import ASSESSED, DAY, company  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _csv(frame: pd.DataFrame, name: str = "customers.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def _post(client: Any, frame: pd.DataFrame, **fields: Any) -> Any:
    data = {
        "file": _csv(frame),
        "target": "bad",
        "exclude": "",
        "test_size": "0.3",
        "seed": "1",
        "base_score": "600",
        "base_odds": "50",
        "pdo": "20",
        **fields,
    }
    return client.post(reverse("ratings:fits"), data)


def _as_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """The known effects with columns named as rating inputs: A the payment index, B the debt
    ratio, C the current ratio (no effect), D the industry risk."""
    return pd.DataFrame(
        {
            "payment_index": frame["A"],
            "debt_ratio": frame["B"],
            "current_ratio": frame["C"],
            "industry_risk": frame["D"].map({"north": "high", "south": "low", "east": "medium"}),
            "bad": frame["bad"],
        }
    )


def test_a_fit_on_the_page_finds_the_known_effects(personas: Personas, client_for: Any) -> None:
    client = client_for(personas.credit_manager)
    assert client.get(reverse("ratings:fits")).status_code == 200
    frame = known_effects()
    answer = _post(client, frame)
    assert answer.status_code == 302
    fit = ScorecardFit.objects.get()
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    assert fit.sha256 == hashlib.sha256(buffer.getvalue().encode()).hexdigest()
    assert (fit.file_name, fit.rows, fit.created_by) == (
        "customers.csv",
        4000,
        personas.credit_manager,
    )
    report = fit.report
    assert report["selected"] == ["A", "D", "B"]
    assert report["excluded"]["C"]["reason"] == "iv"
    assert report["metrics"]["test"]["auc"] > 0.7
    # No data row is kept: the report holds counts per bin, never a row's values.
    assert "A" not in report["data"] and set(report["charts"]) == {"train", "test"}
    assert AuditEvent.objects.filter(object_type__icontains="scorecardfit").count() == 1

    page = client.get(answer["Location"]).content.decode()
    metrics = re.search(r'<tr data-part="test">(.*?)</tr>', page, re.S)
    assert metrics and f"{report['metrics']['test']['auc']:.3f}" in metrics.group(1)
    assert '<tr data-variable="C">' in page and "IV 0.0" in page  # left out, with its IV
    assert 'class="table table-sm mb-0 text-end text-nowrap fit-woe" data-variable="D"' in page
    for part in ("train", "test"):
        rows = report["data"][part]["rows"]
        hist = page.split(f'id="histogram-{part}"')[1].split("</svg>")[0]
        counts = [int(n) for n in re.findall(r'data-count="(\d+)"', hist)]
        assert sum(counts) == rows and len(counts) == 40  # 20 ranges × goods and bads
        assert "<title" in hist and "<desc" in hist
        roc = (
            page.split(f'id="roc-{part}"')[0].rsplit("<svg", 1)[1]
            + page.split(f'id="roc-{part}"')[1].split("</svg>")[0]
        )
        assert 'data-first="0.0,0.0"' in roc and 'data-last="1.0,1.0"' in roc
        assert f'id="roc-{part}-diagonal"' in roc and f'id="roc-{part}-curve"' in roc
        points = re.search(r'points="([^"]+)"', roc)
        assert points is not None
        xy = [tuple(map(float, p.split(","))) for p in points.group(1).split()]
        assert xy[0] == (44.0, 268.0) and xy[-1] == (300.0, 12.0)  # (0,0) and (1,1)
    assert 'style="' not in page


BAD_FILES = [
    (
        "no target",
        lambda f: f.drop(columns="bad"),
        {},
        "target",
        'customers.csv has no target column "bad"; its columns are: A, B, C, D.',
    ),
    (
        "non-binary target",
        lambda f: f.assign(bad=f["bad"].where(f.index != 3, 2)),
        {},
        "target",
        'The target column "bad" must be 0 (good) or 1 (bad) in every row; 1 rows are not '
        '(row 5), e.g. "2".',
    ),
    (
        "one value",
        lambda f: f.assign(country="CN"),
        {},
        "exclude",
        'The variable "country" has only one value (CN): it cannot tell bad from good.',
    ),
    (
        "too few rows",
        lambda f: f.head(50),
        {},
        "file",
        "customers.csv has too few rows: binning needs at least 40 rows in the training part "
        "(2 bins of 20 rows), and 50 rows with --test-size 0.3 leave 35.",
    ),
]


@pytest.mark.parametrize(("case", "change", "fields", "field", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_its_fields_error(
    personas: Personas,
    client_for: Any,
    case: str,
    change: Any,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    client = client_for(personas.credit_manager)
    answer = _post(client, change(known_effects(rows=600)), **fields)
    assert answer.status_code == 422
    form = answer.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    assert message in answer.content.decode().replace("&quot;", '"')
    assert not ScorecardFit.objects.exists()


def test_errors_speak_the_users_language(personas: Personas, client_for: Any) -> None:
    client = client_for(personas.credit_manager)
    with translation.override("zh-hans"):
        answer = client.post(
            reverse("ratings:fits"),
            {
                "file": _csv(known_effects(rows=600).drop(columns="bad")),
                "target": "bad",
                "test_size": "0.3",
                "seed": "1",
                "base_score": "600",
                "base_odds": "50",
                "pdo": "20",
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    text = answer.context["form"].errors["target"][0]
    assert "bad" in text and "目标" in text
    assert not ScorecardFit.objects.exists()


def test_only_credit_managers_fit(personas: Personas, client_for: Any) -> None:
    _post(client_for(personas.credit_manager), known_effects())
    fit = ScorecardFit.objects.get()
    for user in (personas.account_manager, personas.department_head, personas.executive):
        client = client_for(user)
        assert client.get(reverse("ratings:fits")).status_code == 404
        assert client.get(reverse("ratings:fit", args=[fit.pk])).status_code == 404
        assert client.post(reverse("ratings:fit-version", args=[fit.pk]), {}).status_code == 404
    assert ScorecardFit.objects.count() == 1


def test_a_fitted_card_becomes_a_version_another_credit_manager_publishes(
    personas: Personas,
    company: Customer,  # noqa: F811
    client_for: Any,
) -> None:
    old = rating_propose(
        actor=personas.credit_manager, customer=company, assessed=ASSESSED, as_of=DAY
    )
    author = client_for(personas.credit_manager)
    _post(author, _as_inputs(known_effects()))
    fit = ScorecardFit.objects.get()
    assert fit.report["selected"] == ["payment_index", "industry_risk", "debt_ratio"]
    page = author.get(reverse("ratings:fit", args=[fit.pk]))
    form = page.context["form"]
    # A column named as an input is mapped to it.
    assert [form[f"map_{i}"].value() for i in range(3)] == [
        "payment_index",
        "industry_risk",
        "debt_ratio",
    ]
    v1 = ScorecardVersion.objects.get(scorecard__key="company", number=1)
    data = {
        "scorecard": str(v1.scorecard_id),
        "map_0": "payment_index",
        "map_1": "industry_risk",
        "map_2": "",
        "scale": "",
        "note": "按历史数据拟合",
    }
    url = reverse("ratings:fit-version", args=[fit.pk])
    refused = author.post(url, data)
    assert refused.status_code == 422
    assert (
        "Map every variable of the card to a rating input; not mapped: debt_ratio."
        in refused.content.decode()
    )
    assert ScorecardVersion.objects.filter(source="statistical").count() == 0
    saved = author.post(url, {**data, "map_2": "debt_ratio"})
    assert saved.status_code == 302
    v2 = ScorecardVersion.objects.get(scorecard__key="company", number=2)
    assert (v2.status, v2.source, v2.fit, v2.created_by) == (
        "pending",
        "statistical",
        fit,
        personas.credit_manager,
    )
    card = v2.card
    assert card_problems(card, known_inputs=list(INPUTS)) == []
    assert [f.key for f in card.factors] == ["payment_index", "industry_risk", "debt_ratio"]
    for factor in card.factors:
        assert min(b.points for b in factor.bins) == 0
        assert factor.max_points == max(b.points for b in factor.bins) > 0
    risk = next(f for f in card.factors if f.key == "industry_risk")
    assert {b.value for b in risk.bins} == {"high", "low", "medium"}
    # A higher payment index is riskier in this data: its lowest bin scores most.
    pay = next(f for f in card.factors if f.key == "payment_index")
    assert pay.bins[0].lower is None and pay.bins[-1].upper is None
    assert pay.bins[0].points == pay.max_points
    # The company card's grades at the same share of the new points range, its caps kept.
    assert [g.grade for g in card.scale] == [g.grade for g in v1.card.scale]
    assert card.scale[0].min_score == round(card.max_score * 90 / 100)
    assert card.caps == v1.card.caps
    events = AuditEvent.objects.filter(object_type__icontains="scorecardversion")
    assert events.filter(action="create").count() == 1
    # The author cannot publish; another credit manager can.
    assert author.post(reverse("ratings:scorecard-publish", args=[v2.pk])).status_code == 404
    checker = client_for(UserFactory(username="he.jun", role="credit_manager", department=None))
    assert checker.post(reverse("ratings:scorecard-publish", args=[v2.pk])).status_code == 302
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("retired", "published")
    assert events.filter(action="approve").count() == 1
    new = rating_propose(actor=personas.credit_manager, customer=company, as_of=DAY)
    assert new.version == v2 and Rating.objects.get(pk=old.pk).version == v1
    assert [f["key"] for f in new.basis["factors"]] == [
        "payment_index",
        "industry_risk",
        "debt_ratio",
    ]
    assert new.score <= card.max_score


def test_a_categorical_variable_needs_an_input_with_its_values(
    personas: Personas, client_for: Any
) -> None:
    author = client_for(personas.credit_manager)
    _post(author, known_effects())
    fit = ScorecardFit.objects.get()
    v1 = ScorecardVersion.objects.get(scorecard__key="company", number=1)
    answer = author.post(
        reverse("ratings:fit-version", args=[fit.pk]),
        {
            "scorecard": str(v1.scorecard_id),
            "map_0": "payment_index",
            "map_1": "industry_risk",
            "map_2": "payment_index",
            "note": "x",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 422
    assert "D: east, north, south are not values of Industry risk" in text
    assert "B and A both read Payment index, last 12 months." in text
    assert not ScorecardVersion.objects.filter(source="statistical").exists()


def test_a_scale_given_by_the_user(personas: Personas, client_for: Any) -> None:
    author = client_for(personas.credit_manager)
    _post(author, _as_inputs(known_effects()))
    fit = ScorecardFit.objects.get()
    v1 = ScorecardVersion.objects.get(scorecard__key="individual", number=1)
    data = {
        "scorecard": str(v1.scorecard_id),
        "map_0": "payment_index",
        "map_1": "industry_risk",
        "map_2": "debt_ratio",
        "note": "x",
    }
    url = reverse("ratings:fit-version", args=[fit.pk])
    wrong = author.post(url, {**data, "scale": "AAA ninety"})
    assert "Line 1: write “grade lowest-score”, e.g. “AAA 90”." in wrong.content.decode()
    unordered = author.post(url, {**data, "scale": "AAA 10\nC 20"})
    assert "The grade scale must go from the best grade down" in unordered.content.decode()
    # The individual card's cap (a dishonest judgment debtor: at most CCC) needs its grade.
    no_ccc = author.post(url, {**data, "scale": "AAA 60\nBBB 30\nC 0"})
    assert "caps at CCC, which is not on the scale." in no_ccc.content.decode()
    assert not ScorecardVersion.objects.filter(source="statistical").exists()
    scale = "AAA 60\nBBB 30\nCCC 10\nC 0"
    assert author.post(url, {**data, "scale": scale}).status_code == 302
    version = ScorecardVersion.objects.get(source="statistical")
    assert [(g.grade, int(g.min_score)) for g in version.card.scale] == [
        ("AAA", 60),
        ("BBB", 30),
        ("CCC", 10),
        ("C", 0),
    ]
    assert version.card.caps == v1.card.caps


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_report_speaks_the_pages_language(
    personas: Personas, client_for: Any, language: str
) -> None:
    from tests.web.test_page_walk import LANGUAGE_NAMES, _offending, _Text

    client = client_for(personas.credit_manager, language)
    with translation.override(language):
        _post(client, _as_inputs(known_effects()))
    fit = ScorecardFit.objects.get()
    # The data: the file's name, its columns and their values, the user's name.
    values = [
        "customers.csv",
        "payment_index",
        "industry_risk",
        "debt_ratio",
        "current_ratio",
        "high",
        "low",
        "medium",
        "bad",
        str(personas.credit_manager),
        *LANGUAGE_NAMES,
    ]
    for url in (reverse("ratings:fit", args=[fit.pk]), reverse("ratings:fits")):
        page = client.get(url)
        assert page.status_code == 200
        parser = _Text()
        parser.feed(page.content.decode())
        text = "\n".join(parser.parts)
        assert _offending(text, language, sorted(values, key=len, reverse=True)) == [], url
