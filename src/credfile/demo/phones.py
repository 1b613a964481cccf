"""Phone numbers that the phonenumbers library accepts, in E.164 form.

Number ranges are checked once against the library (a sample per range), so that nearly
every number drawn from them is valid; each number is still validated, and redrawn in the
rare case that a sub-range is not in use.
"""

from __future__ import annotations

import functools
import random

import phonenumbers

from credfile.demo.regions import AREA_CODES

# Mobile network prefixes of the three carriers, with the weight of each block.
_MOBILE_CANDIDATES = {
    **{f"13{d}": 3.0 for d in "0123456789"},
    **{f"15{d}": 2.0 for d in "012356789"},
    **{f"18{d}": 2.0 for d in "0123456789"},
    **{p: 1.0 for p in ("147", "166", "173", "176", "177", "191", "198", "199")},
}


def _all_valid(numbers: list[str]) -> bool:
    return all(_valid(n) for n in numbers)


@functools.cache
def mobile_prefixes() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Four-digit mobile prefixes whose whole range of numbers is valid."""
    sample = random.Random(0)
    prefixes: list[str] = []
    weights: list[float] = []
    for three, weight in _MOBILE_CANDIDATES.items():
        for fourth in "0123456789":
            prefix = three + fourth
            numbers = [f"+86{prefix}{sample.randrange(10**7):07d}" for _ in range(8)]
            numbers += [f"+86{prefix}0000000", f"+86{prefix}9999999"]
            if _all_valid(numbers):
                prefixes.append(prefix)
                weights.append(weight)
    return tuple(prefixes), tuple(weights)


@functools.cache
def landline_area_codes() -> dict[str, str]:
    """City (first four division digits) → area code whose eight-digit numbers are valid."""
    sample = random.Random(0)
    valid: dict[str, str] = {}
    for city, area in AREA_CODES.items():
        numbers = [
            f"+86{area}{sample.randrange(2, 9)}{sample.randrange(10**7):07d}" for _ in range(8)
        ]
        if _all_valid(numbers):
            valid[city] = area
    return valid


class PhoneMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.prefixes, weights = mobile_prefixes()
        cum = 0.0
        self.cum_weights: list[float] = []
        for w in weights:
            cum += w
            self.cum_weights.append(cum)
        self.areas = landline_area_codes()

    def mobile(self) -> str:
        while True:
            prefix = self.rng.choices(self.prefixes, cum_weights=self.cum_weights)[0]
            number = f"+86{prefix}{self.rng.randrange(10**7):07d}"
            if _valid(number):
                return number

    def landline(self, city_code4: str) -> str | None:
        """An eight-digit fixed line in the city, or None where its area code is not known."""
        area = self.areas.get(city_code4)
        if area is None:
            return None
        while True:
            number = f"+86{area}{self.rng.randrange(2, 9)}{self.rng.randrange(10**7):07d}"
            if _valid(number):
                return number


def _valid(number: str) -> bool:
    return bool(phonenumbers.is_valid_number(phonenumbers.parse(number, None)))
