from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from credfile.core.forms import DateInput
from credfile.customers.choices import Industry
from credfile.ratings.cards import CATEGORICAL, Bin, Card, Factor, Grade
from credfile.ratings.choices import RiskLevel
from credfile.ratings.facts import ASSESSED
from credfile.ratings.inputs import INPUTS
from credfile.ratings.models import Scorecard


class RatingForm(forms.Form):
    """The assessed inputs of a rating; the rest comes from the file."""

    def __init__(self, *args: Any, initial_assessed: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key in ASSESSED:
            kind = INPUTS[key]
            self.fields[key] = forms.ChoiceField(
                label=str(kind.label),
                required=False,
                choices=[("", _("as in the rating in force")), *kind.choices.items()],
                initial=(initial_assessed or {}).get(key, ""),
            )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def bins_text(factor: Factor) -> str:
    """A factor's bins as the editor shows them: `lower upper points` per line (`-` for no
    bound) for a numeric factor, `value points` for a categorical one."""
    lines = []
    for b in factor.bins:
        if factor.kind == CATEGORICAL:
            lines.append(f"{_choice_label(factor.key, b.value or '')} {_plain(b.points)}")
        else:
            lines.append(f"{_plain(b.lower)} {_plain(b.upper)} {_plain(b.points)}")
    return "\n".join(lines)


def _choice_label(key: str, value: str) -> str:
    kind = INPUTS.get(key)
    label = kind.choices.get(value) if kind else None
    return str(label) if label is not None else value


def _choice_value(key: str, text: str) -> str:
    """A categorical bin's value from its label in either language, or the value itself."""
    kind = INPUTS.get(key)
    if kind is None:
        return text
    for value, label in kind.choices.items():
        if text.casefold() == value.casefold():
            return value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if text.casefold() == str(label).casefold():
                    return value
    return text


def _plain(x: Decimal | None) -> str:
    return "-" if x is None else f"{x.normalize():f}"


def _number(text: str) -> Decimal | None:
    if text == "-":
        return None
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


class CardForm(forms.Form):
    """A new version of a card: each factor's maximum and bins; caps and grades as they are."""

    note = forms.CharField(
        label=_("What changed and why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, card: Card, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.card = card
        self.factor_fields: list[tuple[Factor, str, str]] = []
        for factor in card.factors:
            kind = INPUTS.get(factor.key)
            label = factor.label or (str(kind.label) if kind else factor.key)
            maximum, bins = f"max_{factor.key}", f"bins_{factor.key}"
            self.fields[maximum] = forms.DecimalField(
                label=_("%(factor)s: maximum") % {"factor": label},
                min_value=Decimal("0.01"),
                max_digits=6,
                decimal_places=2,
                initial=factor.max_points,
            )
            self.fields[bins] = forms.CharField(
                label=_("%(factor)s: bins") % {"factor": label},
                widget=forms.Textarea(attrs={"rows": len(factor.bins), "class": "font-monospace"}),
                initial=bins_text(factor),
            )
            self.factor_fields.append((factor, maximum, bins))

    def factor_boxes(self) -> list[tuple[Factor, Any, Any]]:
        """Each factor with its bound fields (maximum, bins), for the template."""
        return [(f, self[maximum], self[bins]) for f, maximum, bins in self.factor_fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        factors = []
        for factor, maximum, field in self.factor_fields:
            if maximum not in data or field not in data:
                continue
            parsed = self._bins(factor, field, data[field])
            if parsed is None:
                continue
            factors.append(replace(factor, max_points=data[maximum], bins=parsed))
        if len(factors) == len(self.factor_fields):
            self.new_card = replace(self.card, factors=tuple(factors))
        return data

    def _bins(self, factor: Factor, field: str, text: str) -> tuple[Bin, ...] | None:
        bins = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                if factor.kind == CATEGORICAL:
                    # The label may hold spaces ("settled suits only"); the points come last.
                    *label, worth = parts
                    if not label:
                        raise ValueError
                    value = _choice_value(factor.key, " ".join(label))
                    bins.append(Bin(points=Decimal(worth), value=value))
                else:
                    if len(parts) != 3:
                        raise ValueError
                    points = _number(parts[2])
                    if points is None:
                        raise ValueError
                    bins.append(
                        Bin(points=points, lower=_number(parts[0]), upper=_number(parts[1]))
                    )
            except (ValueError, InvalidOperation):
                self.add_error(
                    field,
                    _("Line %(line)d: write “lower upper points”, with - for no bound.")
                    % {"line": number}
                    if factor.kind != CATEGORICAL
                    else _("Line %(line)d: write “value points”.") % {"line": number},
                )
                return None
        return tuple(bins)


class IndustryRiskForm(forms.Form):
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    basis = forms.CharField(
        label=_("Basis"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


MAX_FIT_BYTES = 20 << 20


class FitForm(forms.Form):
    """An uploaded CSV of past customers and the options of `credfile scorecard fit`."""

    file = forms.FileField(
        label=_("Data (CSV)"),
        help_text=_(
            "UTF-8, one header row, one row per past customer; every column but the target "
            "and those left out is a variable. The rows are not kept."
        ),
    )
    target = forms.CharField(
        label=_("Target column"),
        max_length=100,
        help_text=_("1 = bad, 0 = good."),
    )
    exclude = forms.CharField(
        label=_("Columns to leave out"),
        required=False,
        max_length=2000,
        help_text=_("Identifiers, dates: comma-separated column names."),
    )
    test_size = forms.FloatField(label=_("Test share"), initial=0.3, min_value=0.05, max_value=0.95)
    seed = forms.IntegerField(label=_("Seed"), initial=1, min_value=0, max_value=2**31 - 1)
    base_score = forms.FloatField(label=_("Base score"), initial=600)
    base_odds = forms.FloatField(label=_("Base odds (good:bad)"), initial=50, min_value=0.001)
    pdo = forms.FloatField(label=_("Points to double the odds"), initial=20, min_value=0.001)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FIT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_FIT_BYTES >> 20}
            )
        return upload

    def excluded(self) -> tuple[str, ...]:
        text = self.cleaned_data.get("exclude") or ""
        return tuple(c.strip() for c in text.split(",") if c.strip())


class FitVersionForm(forms.Form):
    """A fitted card as a new version of a scorecard: each variable's input, the grade scale
    (empty: the card's scaled to the fitted range) and a note."""

    scorecard: forms.ModelChoiceField[Scorecard] = forms.ModelChoiceField(
        label=_("Scorecard"), queryset=Scorecard.objects.none(), empty_label=None
    )
    scale = forms.CharField(
        label=_("Grade scale"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One grade a line, best first: “AAA 90”, the grade and its lowest score. Empty: "
            "the scorecard's grades at the same share of the fitted card's points range."
        ),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, variables: list[str], initial_map: dict[str, str], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField[Scorecard], self.fields["scorecard"])
        field.queryset = Scorecard.objects.order_by("customer_kind", "key")
        self.variables = variables
        inputs = [("", _("— not mapped —"))] + [(key, kind.label) for key, kind in INPUTS.items()]
        for i, variable in enumerate(variables):
            self.fields[f"map_{i}"] = forms.ChoiceField(
                label=variable,
                required=False,
                choices=inputs,
                initial=initial_map.get(variable, ""),
            )

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"map_{i}"] for i in range(len(self.variables))]

    def mapping(self) -> dict[str, str]:
        return {v: self.cleaned_data.get(f"map_{i}") or "" for i, v in enumerate(self.variables)}

    def clean_scale(self) -> tuple[Grade, ...] | None:
        text = self.cleaned_data.get("scale") or ""
        grades = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                grade, low = parts
                grades.append(Grade(grade, Decimal(low)))
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(line)d: write “grade lowest-score”, e.g. “AAA 90”.")
                    % {"line": number}
                ) from None
        return tuple(grades) or None
