"""The inputs a scorecard factor or cap may read, with their labels and units.

A card names its factors by these keys; the rating service computes each input for a
customer from the file (statements, receivables, records) or takes it as assessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RATIO = "ratio"  # a plain number: 1.6 (times)
PERCENT = "percent"  # a fraction shown as a percentage: 0.42 → 42 %
DAYS = "days"
YEARS = "years"
INDEX = "index"  # the payment index, 1–100
MONEY = "money"  # in CNY
CHOICE = "choice"
COUNT = "count"  # a whole number of things: 3 complaints
HOURS = "hours"


@dataclass(frozen=True)
class InputKind:
    key: str
    label: Promise
    unit: str
    choices: dict[str, Promise] = field(default_factory=dict)
    # Assessed by a credit manager rather than computed from the file.
    assessed: bool = False


_NEGATIVE: dict[str, Promise] = {
    "none": _("none"),
    "settled": _("settled suits only"),
    "open": _("open suits or enforcement"),
}

INPUTS: dict[str, InputKind] = {
    i.key: i
    for i in (
        InputKind("debt_ratio", _("Debt ratio"), PERCENT),
        InputKind("current_ratio", _("Current ratio"), RATIO),
        InputKind("quick_ratio", _("Quick ratio"), RATIO),
        InputKind("interest_cover", _("Interest cover"), RATIO),
        InputKind("net_margin", _("Net margin"), PERCENT),
        InputKind("roe", _("Return on equity"), PERCENT),
        InputKind("receivable_turnover", _("Receivable turnover"), RATIO),
        InputKind("inventory_turnover", _("Inventory turnover"), RATIO),
        InputKind("cash_content_of_sales", _("Cash content of sales"), PERCENT),
        InputKind("payment_index", _("Payment index, last 12 months"), INDEX),
        InputKind("max_days_beyond_terms", _("Most days beyond terms, last 12 months"), DAYS),
        InputKind(
            "negative_records", _("Negative external records"), CHOICE, _NEGATIVE, assessed=True
        ),
        InputKind("years_in_business", _("Years in business"), YEARS),
        InputKind("revenue_growth", _("Revenue growth"), PERCENT),
        InputKind(
            "industry_risk",
            _("Industry risk (market conditions)"),
            CHOICE,
            {
                "low": _("low"),
                "medium": _("medium"),
                "high": _("high"),
                "restricted": _("restricted"),
            },
        ),
        InputKind(
            "management_quality",
            _("Management quality"),
            CHOICE,
            {
                "excellent": _("excellent"),
                "good": _("good"),
                "fair": _("fair"),
                "poor": _("poor"),
            },
            assessed=True,
        ),
        InputKind(
            "security",
            _("Security held"),
            CHOICE,
            {
                "bank_guarantee": _("bank guarantee or insurance covering the limit"),
                "mortgage": _("mortgage or pledge"),
                "third_party": _("third-party guarantee"),
                "none": _("none"),
            },
            assessed=True,
        ),
        InputKind("annual_income", _("Annual income"), MONEY),
        InputKind("debt_to_income", _("Debt to income"), RATIO),
        InputKind("relationship_years", _("Years as our customer"), YEARS),
        # The customer value card.
        InputKind(
            "profit_contribution",
            _("Profit contribution"),
            CHOICE,
            {
                "A": _("A — high contribution"),
                "B": _("B — medium contribution"),
                "C": _("C — low contribution"),
                "D": _("D — no or negative contribution"),
            },
        ),
        InputKind("purchase_recency", _("Days since the last invoice"), DAYS),
        InputKind("sales_growth", _("Growth of invoiced sales, last 12 months"), PERCENT),
        InputKind(
            "share_of_wallet",
            _("Our share of the customer's purchases"),
            CHOICE,
            {
                "sole": _("sole supplier"),
                "main": _("main supplier"),
                "one_of_several": _("one of several"),
                "minor": _("minor supplier"),
            },
            assessed=True,
        ),
        # The file's complaints (credfile.complaints): counts at the rating date, 0 without any.
        InputKind("complaints_12m", _("Complaints received, last 12 months"), COUNT),
        InputKind("open_complaints", _("Open complaints"), COUNT),
        InputKind("overdue_complaints", _("Open complaints past their deadline"), COUNT),
        InputKind(
            "median_resolution_hours",
            _("Median hours to resolve a complaint, last 12 months"),
            HOURS,
        ),
        # Inputs read by the caps.
        InputKind("loss_years", _("Years of loss running"), YEARS),
        InputKind(
            "dishonest_debtor",
            _("Listed as a dishonest judgment debtor"),
            CHOICE,
            {"yes": _("yes"), "no": _("no")},
            assessed=True,
        ),
        InputKind(
            "has_statements",
            _("Financial statements on file"),
            CHOICE,
            {"yes": _("yes"), "no": _("no")},
        ),
    )
}
