from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.core.forms import DateInput
from credfile.customers.choices import Industry
from credfile.ratings.cards import CATEGORICAL, Bin, Card, Factor
from credfile.ratings.choices import RiskLevel
from credfile.ratings.facts import ASSESSED
from credfile.ratings.inputs import INPUTS


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
            lines.append(f"{b.value} {_plain(b.points)}")
        else:
            lines.append(f"{_plain(b.lower)} {_plain(b.upper)} {_plain(b.points)}")
    return "\n".join(lines)


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
                    if len(parts) != 2:
                        raise ValueError
                    bins.append(Bin(points=Decimal(parts[1]), value=parts[0]))
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
