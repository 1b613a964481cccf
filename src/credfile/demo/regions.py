"""Administrative divisions for demo data, read from python-stdnum's division code table.

Resident ID numbers are checked by stdnum against the division codes that existed in the
holder's birth year, so the demo draws ID regions from the same table rather than from a
hand-written list that would drift from the validator.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass, field

from stdnum import numdb

_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
_MUNICIPALITIES = {"11", "12", "31", "50"}
# Relative number of customers per province: the coastal economies carry most trade credit.
PROVINCE_WEIGHTS: dict[str, float] = {
    "44": 14,
    "32": 11,
    "33": 10,
    "31": 8,
    "37": 7,
    "11": 7,
    "35": 4,
    "41": 4,
    "51": 4,
    "42": 3,
    "43": 3,
    "13": 3,
    "34": 3,
    "50": 2.5,
    "12": 2,
    "21": 2,
    "61": 2,
    "36": 2,
    "45": 2,
    "53": 1.5,
    "14": 1,
    "22": 1,
    "23": 1,
    "52": 1,
    "15": 1,
    "65": 0.7,
    "62": 0.7,
    "46": 0.6,
    "64": 0.3,
    "63": 0.2,
    "54": 0.1,
}
# Cities that draw more customers than an average prefecture of their province.
BIG_CITIES = {
    "4403": 6,
    "4401": 6,
    "3205": 4,
    "3302": 4,
    "3702": 4,
    "3502": 3,
    "2102": 3,
    "3202": 3,
    "4419": 3,
    "4406": 3,
    "3301": 5,
    "3201": 4,
    "4201": 4,
    "5101": 4,
    "6101": 3,
    "3701": 3,
    "4101": 3,
    "4301": 3,
    "3501": 3,
    "3401": 3,
    "1301": 2,
    "2101": 2,
    "3601": 2,
    "4501": 2,
    "5201": 2,
    "5301": 2,
    "2201": 2,
    "2301": 2,
    "1401": 2,
    "3307": 3,
    "3303": 2,
}
# Long-distance area codes of the larger cities (key: first four digits of the division code).
AREA_CODES = {
    "1101": "10",
    "1201": "22",
    "3101": "21",
    "5001": "23",
    "4401": "20",
    "4403": "755",
    "3301": "571",
    "3201": "25",
    "4201": "27",
    "5101": "28",
    "6101": "29",
    "3205": "512",
    "3702": "532",
    "3502": "592",
    "3501": "591",
    "4301": "731",
    "4101": "371",
    "1301": "311",
    "1401": "351",
    "2101": "24",
    "2102": "411",
    "2201": "431",
    "2301": "451",
    "3401": "551",
    "3601": "791",
    "3701": "531",
    "4501": "771",
    "5201": "851",
    "5301": "871",
    "3302": "574",
    "3202": "510",
    "4419": "769",
    "4406": "757",
    "3307": "579",
    "3303": "577",
}
# First two digits of postcodes per province (China Post's zoning, roughly).
POSTCODE_PREFIXES = {
    "11": ("10",),
    "12": ("30",),
    "13": ("05", "06", "07"),
    "14": ("03", "04"),
    "15": ("01", "02"),
    "21": ("11", "12"),
    "22": ("13",),
    "23": ("15", "16"),
    "31": ("20",),
    "32": ("21", "22"),
    "33": ("31", "32"),
    "34": ("23", "24"),
    "35": ("35", "36"),
    "36": ("33", "34"),
    "37": ("25", "26", "27"),
    "41": ("45", "46", "47"),
    "42": ("43", "44"),
    "43": ("41", "42"),
    "44": ("51", "52"),
    "45": ("53", "54"),
    "46": ("57",),
    "50": ("40",),
    "51": ("61", "62", "63", "64"),
    "52": ("55", "56"),
    "53": ("65", "66", "67"),
    "54": ("85",),
    "61": ("71", "72"),
    "62": ("73", "74"),
    "63": ("81",),
    "64": ("75",),
    "65": ("83", "84"),
}
_CITY_SUFFIXES = ("市", "州", "盟", "地区")


@dataclass(frozen=True)
class County:
    code: str
    # (first year, last year, name); None means open-ended.
    periods: tuple[tuple[int | None, int | None, str], ...]

    def valid_in(self, year: int) -> bool:
        return any(
            (start is None or year >= start) and (end is None or year <= end)
            for start, end, _name in self.periods
        )

    @property
    def current_name(self) -> str | None:
        for _start, end, name in self.periods:
            if end is None:
                return name
        return None


@dataclass
class Prefecture:
    province: str
    code4: str
    name: str
    counties: list[County] = field(default_factory=list)
    current_counties: list[County] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        """深圳市 → 深圳, for names like 华泰电子（深圳）有限公司."""
        for suffix in ("市", "地区"):
            if self.name.endswith(suffix) and len(self.name) > len(suffix) + 1:
                return self.name[: -len(suffix)]
        return self.name


@dataclass
class Province:
    code: str
    name: str
    prefectures: list[Prefecture]
    counties: list[County]

    @property
    def short_name(self) -> str:
        for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


def _periods(text: str) -> tuple[tuple[int | None, int | None, str], ...]:
    out: list[tuple[int | None, int | None, str]] = []
    for part in text.split(","):
        match = _PERIOD.match(part)
        if match is None:
            out.append((None, None, part))
        else:
            start, end, name = match.groups()
            out.append((int(start) if start else None, int(end) if end else None, name))
    return tuple(out)


@functools.cache
def provinces() -> dict[str, Province]:
    """Mainland provinces with their current prefectures and all counties, from stdnum."""
    result: dict[str, Province] = {}
    for _len, code, _hi, props, children in numdb.get("cn/loc").prefixes:
        if code not in PROVINCE_WEIGHTS:
            continue
        prov_name = _periods(props["province"])[-1][2]
        prefectures: dict[str, Prefecture] = {}
        all_counties: list[County] = []
        for _l, suffix, _h, cprops, _c in children:
            full = code + suffix
            periods = _periods(cprops.get("county", ""))
            if suffix.endswith("00"):
                _start, end, name = periods[-1]
                if code in _MUNICIPALITIES or end is not None or not name.endswith(_CITY_SUFFIXES):
                    continue
                prefectures[full[:4]] = Prefecture(code, full[:4], name)
                continue
            county = County(full, periods)
            all_counties.append(county)
        if code in _MUNICIPALITIES:
            # One city for the whole municipality: 北京市 with all its districts and counties.
            prefectures = {code + "01": Prefecture(code, code + "01", prov_name)}
            prefectures[code + "01"].counties = list(all_counties)
        else:
            for county in all_counties:
                pref = prefectures.get(county.code[:4])
                if pref is not None:
                    pref.counties.append(county)
        for pref in prefectures.values():
            pref.current_counties = [
                c
                for c in pref.counties
                if c.current_name and c.current_name not in {"市辖区", "郊区", "矿区"}
            ]
        # 三沙 is a garrison on reefs, not a market; 东莞 and 中山 have towns, not districts.
        kept = [p for p in prefectures.values() if p.name != "三沙市"]
        result[code] = Province(code, prov_name, kept, all_counties)
    return result


@dataclass(frozen=True)
class Place:
    province: Province
    prefecture: Prefecture

    @property
    def city(self) -> str:
        return self.prefecture.name


class PlacePicker:
    """Draws a customer's province and city with realistic weights."""

    def __init__(self) -> None:
        self.places: list[Place] = []
        weights: list[float] = []
        for code, province in provinces().items():
            share = PROVINCE_WEIGHTS[code]
            pref_weights = [float(BIG_CITIES.get(p.code4, 1)) for p in province.prefectures]
            # The capital (XX01) is the largest market of most provinces.
            for i, pref in enumerate(province.prefectures):
                if pref.code4.endswith("01"):
                    pref_weights[i] = max(pref_weights[i], 3.0)
            total = sum(pref_weights)
            for pref, w in zip(province.prefectures, pref_weights, strict=True):
                self.places.append(Place(province, pref))
                weights.append(share * w / total)
        self.cum_weights = list(_accumulate(weights))

    def pick(self, rng: random.Random) -> Place:
        return rng.choices(self.places, cum_weights=self.cum_weights)[0]


def _accumulate(values: list[float]) -> list[float]:
    total = 0.0
    out = []
    for v in values:
        total += v
        out.append(total)
    return out


@functools.cache
def _valid_counties(code4: str, province: str, year: int) -> tuple[str, ...]:
    provs = provinces()
    prov = provs[province]
    pref = next((p for p in prov.prefectures if p.code4 == code4), None)
    pool = pref.counties if pref is not None else []
    codes = tuple(c.code for c in pool if c.valid_in(year))
    if codes:
        return codes
    codes = tuple(c.code for c in prov.counties if c.valid_in(year))
    if codes:
        return codes
    # Chongqing and Hainan issued no numbers of their own before 1997 and 1988: the holders
    # were registered in Sichuan and Guangdong.
    fallback = {"50": "51", "46": "44"}.get(province, "11")
    return tuple(c.code for c in provs[fallback].counties if c.valid_in(year))


def id_region(rng: random.Random, place: Place, year: int) -> str:
    """A six-digit division code that existed in `year`, near the customer's city."""
    return rng.choice(_valid_counties(place.prefecture.code4, place.province.code, year))
