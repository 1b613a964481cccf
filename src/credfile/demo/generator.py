"""Deterministic generation of realistic Chinese credit files, as rows ready for bulk_create.

Nothing here touches the database. `DemoGenerator.batch()` returns, per table, rows as
tuples in the model's field order (so that the loader builds instances with the cheap
positional `Model(*row)`), and a foreign key to a row of the same batch holds that row's
position in its table until the loader knows the primary keys. Plain tuples also cross a
process boundary cheaply, which lets the loader generate the next batch while it writes one.

All randomness comes from `random.Random`s seeded by the seed and the start number, so
these reproduce the same data: one for the files, and one of its own for the collection
actions, so that adding them left every other generated value as it was.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from faker.providers.person.zh_CN import Provider as ChinesePersons
from stdnum.cn import ric, uscc

from credfile.core.normalize import name_key
from credfile.customers.models import Address, Contact, Customer
from credfile.demo import vocab
from credfile.demo.phones import PhoneMaker
from credfile.demo.regions import POSTCODE_PREFIXES, Place, PlacePicker, id_region
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.followup.models import CollectionAction
from credfile.interactions.models import Note, ServiceRecord
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation

ORGANIZATION_SHARE = 0.65
PAYMENT_TERMS = ((30, 40), (45, 25), (60, 20), (90, 15))
STATUSES = (("active", 75), ("prospect", 7), ("dormant", 10), ("settled", 5), ("archived", 3))
PROFIT_CLASSES = (("A", 15), ("B", 35), ("C", 33), ("D", 10), ("", 7))
CATEGORIES = {
    "default": (("strategic", 1), ("key", 8), ("regular", 57), ("small", 26), ("distributor", 8)),
    "KEYACC": (("strategic", 10), ("key", 50), ("regular", 40)),
}
# Yearly revenue (log of yuan) of an organisation per category.
REVENUE = {"strategic": 21.0, "key": 19.5, "regular": 17.3, "small": 15.5, "distributor": 17.0}
# Typical invoice (log of yuan) per category; individuals buy far less.
INVOICE_SIZE = {
    "strategic": 13.8,
    "key": 13.0,
    "regular": 11.5,
    "small": 10.0,
    "distributor": 12.0,
    "individual": 9.3,
}
INVOICE_COUNT = {"strategic": 2.0, "key": 1.5, "regular": 1.0, "small": 0.7, "distributor": 1.2}
# How a customer pays: (name, weight, fewest and most days after the due date).
PAYERS = (("prompt", 55, -6, 3), ("slow", 28, 0, 20), ("late", 12, 15, 75), ("bad", 5, 20, 90))
METHODS = (("bank_transfer", 78), ("acceptance_bill", 14), ("commercial_bill", 5), ("other", 3))
# Organisation codes issued since 2015 start with MA; USCC letters exclude I, O, S, V and Z.
_NEW_ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CAPITAL_STEPS = tuple(
    v * 10_000
    for v in (50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000, 100_000)
)
_DAY = datetime.timedelta(days=1)
# Share of the overdue invoices that someone has followed up, and how likely the last step
# of a follow-up is a promise to pay, or a dispute is among them.
FOLLOWED_UP_SHARE = 0.7
PROMISE_SHARE = 0.35
DISPUTE_SHARE = 0.06
# The steps of a follow-up as it goes on: a reminder first, then calls, letters and visits.
_ESCALATION = (("reminder",), ("call", "reminder"), ("call", "letter"), ("visit", "letter", "call"))


def money(cents: int) -> str:
    """An amount as a decimal string: DecimalField takes it, and it pickles cheaply."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def _cum(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


def gb11714_check(code8: str) -> str:
    """Check character of an organisation code (GB 11714), the 17th character of a USCC."""
    total = sum(int(ch, 36) * w for ch, w in zip(code8, _GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


class _Columns:
    """Stands in for a row while a model attribute that is not a column (a sealed value, see
    core.sealed) writes the columns behind it: ciphertext and blind index."""

    def __init__(self, meta: Any, uid: uuid.UUID | None) -> None:
        self._meta = meta
        self.uid = uid


def _template_default(field: Any) -> Any:
    if field.has_default() and callable(field.default):
        return None  # a per-row default (uuid4) must not be frozen into the template
    default = field.get_default()
    # Plain str rather than a TextChoices member, so that rows pickle small.
    return str(default) if isinstance(default, str) else default


class RowMaker:
    """Builds a row for `Model(*row)`: values by field name, defaults for the rest.

    A value for a settable attribute that is not a column is handed to that attribute, so that
    sealed (encrypted) values are written exactly as the model writes them. A `uid` column gets
    a fresh UUID from the generator's random source, keeping the rows reproducible.
    """

    def __init__(self, model: type[models.Model], rng: random.Random) -> None:
        fields = model._meta.concrete_fields
        self.meta = model._meta
        self.rng = rng
        self.positions = {f.attname: i for i, f in enumerate(fields)}
        self.template = [_template_default(f) for f in fields]
        self.uid_position = self.positions.get("uid")
        self.indirect = {
            name: attr
            for name, attr in vars(model).items()
            if isinstance(attr, property) and attr.fset is not None and name not in self.positions
        }

    def __call__(self, values: dict[str, Any]) -> tuple[Any, ...]:
        row = self.template.copy()
        positions = self.positions
        if self.uid_position is not None:
            row[self.uid_position] = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        for name, value in values.items():
            position = positions.get(name)
            if position is not None:
                row[position] = value
                continue
            uid = row[self.uid_position] if self.uid_position is not None else None
            columns = _Columns(self.meta, uid)
            self.indirect[name].__set__(columns, value)
            for attname, column_value in vars(columns).items():
                if attname in positions and attname != "uid":
                    row[positions[attname]] = column_value
        return tuple(row)


# Table name → model, in the order the loader inserts them (a row after those it refers to),
# and which foreign keys point at rows of the same batch.
TABLES: tuple[tuple[str, type[models.Model], dict[str, str]], ...] = (
    ("customers", Customer, {}),
    ("tags", Customer.tags.through, {"customer_id": "customers"}),
    ("contacts", Contact, {"customer_id": "customers"}),
    ("addresses", Address, {"customer_id": "customers"}),
    ("statements", FinancialStatement, {"customer_id": "customers"}),
    ("individual_financials", IndividualFinancial, {"customer_id": "customers"}),
    ("contracts", Contract, {"customer_id": "customers"}),
    ("invoices", Invoice, {"customer_id": "customers", "contract_id": "contracts"}),
    ("payments", Payment, {"customer_id": "customers"}),
    ("allocations", PaymentAllocation, {"payment_id": "payments", "invoice_id": "invoices"}),
    (
        "collection_actions",
        CollectionAction,
        {"customer_id": "customers", "invoice_id": "invoices"},
    ),
    ("service_records", ServiceRecord, {"customer_id": "customers"}),
    ("notes", Note, {"customer_id": "customers"}),
)


@dataclass(frozen=True)
class Staff:
    """Departments (pk, code) with cumulative weights and the users managing customers there."""

    departments: tuple[tuple[int, str], ...]
    weights: tuple[float, ...]
    managers: dict[int, tuple[int, ...]]


@dataclass
class Batch:
    first_number: int
    count: int
    rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {name: [] for name, _m, _l in TABLES}
    )


@dataclass
class _Draft:
    """An invoice being planned before its payments are known (amounts in cents)."""

    issue: datetime.date
    due: datetime.date
    terms: int
    cents: int
    contract: int
    events: list[tuple[datetime.date, int]] = field(default_factory=list)


class DemoGenerator:
    def __init__(
        self,
        *,
        seed: int,
        first_number: int,
        staff: Staff,
        tag_ids: dict[str, int],
        as_of: datetime.date,
        used_id_numbers: set[str],
        used_credit_codes: set[str],
    ) -> None:
        # The start number is part of the seed, so that a second load with the same seed adds
        # different customers instead of repeating (and clashing with) the first.
        self.rng = random.Random(f"credfile-demo:{seed}:{first_number}")
        self.followup_rng = random.Random(f"credfile-demo-followup:{seed}:{first_number}")
        self.staff = staff
        self.tag_ids = tag_ids
        self.as_of = as_of
        self.used_id_numbers = used_id_numbers
        self.used_credit_codes = used_credit_codes
        self.make = {name: RowMaker(model, self.rng) for name, model, _links in TABLES}
        self.places = PlacePicker()
        self.phones = PhoneMaker(self.rng)
        self.tz = ZoneInfo("Asia/Shanghai")
        self.surnames, self.surname_cum = _cum(tuple(ChinesePersons.last_names.items()))
        self.male_given = ChinesePersons.first_names_male
        self.female_given = ChinesePersons.first_names_female
        self.industries, self.industry_cum = _cum(
            tuple((k, w) for k, (w, _words) in vocab.INDUSTRIES.items())
        )
        self.statuses, self.status_cum = _cum(STATUSES)
        self.profit_classes, self.profit_cum = _cum(PROFIT_CLASSES)
        self.categories = {k: _cum(v) for k, v in CATEGORIES.items()}
        self.payers, self.payer_cum = _cum(tuple((p[0], float(p[1])) for p in PAYERS))
        self.payer_delay = {p[0]: (p[2], p[3]) for p in PAYERS}
        self.methods, self.method_cum = _cum(METHODS)
        self.legal_forms, self.legal_form_cum = _cum(vocab.LEGAL_FORMS)
        self.terms, self.terms_cum = _cum(tuple((str(d), float(w)) for d, w in PAYMENT_TERMS))
        self.contract_serial = 0
        self.invoice_serial = 0

    # --- small helpers ---------------------------------------------------------------------

    def add(self, out: Batch, table: str, **values: Any) -> int:
        """Append a row; returns its position, which same-batch foreign keys refer to."""
        rows = out.rows[table]
        rows.append(self.make[table](values))
        return len(rows) - 1

    def pick(self, values: list[str], cum: list[float]) -> str:
        return self.rng.choices(values, cum_weights=cum)[0]

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def person_name(self, male: bool) -> str:
        rng = self.rng
        given = self.male_given if male else self.female_given
        first = rng.choice(given)
        if len(first) == 1 and rng.random() < 0.55:
            first += rng.choice(given)[0]
        return self.pick(self.surnames, self.surname_cum) + first

    def brand(self) -> str:
        chars = vocab.BRAND_CHARS
        rng = self.rng
        first = rng.choice(chars)
        second = rng.choice(chars)
        while second == first:
            second = rng.choice(chars)
        return first + second

    def email(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return f"{rng.randrange(10**7, 10**10)}@qq.com"
        letters = "".join(rng.choice("abcdefghjkmnpqrstwxyz") for _ in range(rng.randint(4, 8)))
        return f"{letters}{rng.randrange(10, 999)}@{rng.choice(vocab.EMAIL_DOMAINS)}"

    def postcode(self, place: Place) -> str:
        prefix = self.rng.choice(POSTCODE_PREFIXES[place.province.code])
        return f"{prefix}{self.rng.randrange(100):02d}00"

    def district(self, place: Place) -> str:
        counties = place.prefecture.current_counties
        return (self.rng.choice(counties).current_name or "") if counties else ""

    # --- identities ------------------------------------------------------------------------

    def resident_id(self, place: Place, birth: datetime.date, male: bool) -> str:
        """A resident ID number (GB 11643) unique in the database, the gender digit right."""
        rng = self.rng
        while True:
            region = id_region(rng, place, birth.year)
            order = rng.randrange(1, 500) * 2 + (1 if male else 0)
            body = f"{region}{birth:%Y%m%d}{order:03d}"
            # stdnum's calc_check_digit takes a full-length number and ignores its last digit.
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_id_numbers:
                self.used_id_numbers.add(number)
                return number

    def credit_code(self, place: Place, established: datetime.date, kind: str) -> str:
        """A unified social credit code (GB 32100): registration authority and type, the
        registering division, an organisation code with its own check character, and the
        check character over all of it."""
        rng = self.rng
        counties = place.prefecture.current_counties
        while True:
            if counties and rng.random() < 0.5:
                region = rng.choice(counties).code
            else:
                region = place.prefecture.code4 + "00"
            if established.year >= 2015:
                org = "MA" + "".join(rng.choice(_NEW_ORG_CODE_CHARS) for _ in range(6))
            else:
                org = f"{rng.randrange(10**8):08d}"
            body = f"{kind}{region}{org}{gb11714_check(org)}"
            code = body + uscc.calc_check_digit(body)
            if code not in self.used_credit_codes:
                self.used_credit_codes.add(code)
                return code

    # --- one customer ----------------------------------------------------------------------

    def batch(self, first_number: int, count: int) -> Batch:
        out = Batch(first_number, count)
        for number in range(first_number, first_number + count):
            self.customer(number, out)
        return out

    def customer(self, number: int, out: Batch) -> None:
        rng = self.rng
        staff = self.staff
        place = self.places.pick(rng)
        department, dept_code = rng.choices(staff.departments, cum_weights=staff.weights)[0]
        manager = rng.choice(staff.managers[department])
        categories, category_cum = self.categories.get(dept_code, self.categories["default"])
        status = self.pick(self.statuses, self.status_cum)
        c: dict[str, Any] = {
            "code": f"C{number:08d}",
            "province": place.province.code,
            "city": place.city,
            "category": self.pick(categories, category_cum),
            "profit_class": ""
            if status == "prospect"
            else self.pick(self.profit_classes, self.profit_cum),
            "department_id": department,
            "account_manager_id": manager,
            "status": status,
        }
        payer = self.pick(self.payers, self.payer_cum)
        tags: list[str] = []
        organization = rng.random() < ORGANIZATION_SHARE
        if organization:
            revenue = self.organization(c, place, tags)
        else:
            self.individual(c, place)
        c["name_key"] = name_key(c["name"])
        ci = self.add(out, "customers", **c)
        if not organization:
            self.individual_financials(ci, place, out)
        self.contacts(ci, c, place, out)
        self.address(ci, organization, place, out)
        if dept_code == "EXPORT":
            tags.append("出口")
        if status == "prospect":
            tags.append("新客户")
        if payer == "bad":
            tags.append("重点监控")
        elif payer == "prompt" and rng.random() < 0.3:
            tags.append("信用良好")
        if rng.random() < 0.25:
            tags.append(rng.choice(vocab.TAGS))
        for tag in dict.fromkeys(tags):
            self.add(out, "tags", customer_id=ci, tag_id=self.tag_ids[tag])
        if organization:
            self.statements(ci, c, payer, revenue, out)
        if status != "prospect":
            currency = "USD" if dept_code == "EXPORT" and rng.random() < 0.4 else "CNY"
            self.trade(ci, c, organization, manager, payer, currency, out)
        self.interactions(ci, manager, payer, out)

    def individual(self, c: dict[str, Any], place: Place) -> None:
        rng = self.rng
        male = rng.random() < 0.55
        age = int(rng.triangular(23, 72, 40))
        start = datetime.date(self.as_of.year - age, 1, 1)
        birth = min(
            self.day_between(start, datetime.date(start.year, 12, 31)),
            self.as_of.replace(year=self.as_of.year - 20, day=1),
        )
        c["kind"] = "individual"
        c["name"] = self.person_name(male)
        c["gender"] = "M" if male else "F"
        c["birth_date"] = birth
        c["id_number"] = self.resident_id(place, birth, male)
        if rng.random() < 0.08:
            c["passport_number"] = f"E{rng.randrange(10**8):08d}"
        c["phone"] = self.phones.mobile()
        if rng.random() < 0.3:
            c["email"] = self.email()

    def individual_financials(self, ci: int, place: Place, out: Batch) -> None:
        rng = self.rng
        income = int(rng.lognormvariate(11.9, 0.55))
        dates = [datetime.date(self.as_of.year - 1, 12, 31)]
        if rng.random() < 0.4:
            dates.append(datetime.date(self.as_of.year - 2, 6, 30))
        employer = (
            self.company_name(place, self.pick(self.industries, self.industry_cum))
            if (rng.random() < 0.75)
            else ""
        )
        for as_of in dates:
            assets = int(income * rng.uniform(1.5, 12))
            self.add(
                out,
                "individual_financials",
                customer_id=ci,
                as_of=as_of,
                annual_income=money(income * 100),
                total_assets=money(assets * 100),
                total_liabilities=money(int(assets * rng.uniform(0, 0.7)) * 100),
                employer=employer,
                source=rng.choice(vocab.INCOME_SOURCES),
            )
            income = int(income / rng.uniform(0.95, 1.15))

    def company_name(self, place: Place, section: str) -> str:
        """行政区划 + 字号 + 行业 + 组织形式, in the forms Chinese registries accept."""
        rng = self.rng
        word = rng.choice(vocab.INDUSTRIES[section][1])
        if section == "A" and rng.random() < 0.2:
            return f"{place.prefecture.short_name}{self.brand()}{word}专业合作社"
        form = self.pick(self.legal_forms, self.legal_form_cum)
        roll = rng.random()
        if roll < 0.15:
            return f"{self.brand()}{word}（{place.prefecture.short_name}）{form}"
        if roll < 0.3:
            return f"{place.province.short_name}{self.brand()}{word}{form}"
        city = place.city if place.city.endswith("市") else place.province.short_name
        return f"{city}{self.brand()}{word}{form}"

    def organization(self, c: dict[str, Any], place: Place, tags: list[str]) -> int:
        """Fill in an organisation; returns its yearly revenue in yuan."""
        rng = self.rng
        section = self.pick(self.industries, self.industry_cum)
        name = self.company_name(place, section)
        age = min(int(rng.expovariate(1 / 9)), 30) + 1
        established = self.day_between(
            datetime.date(self.as_of.year - age, 1, 1), datetime.date(self.as_of.year - age, 12, 31)
        )
        revenue = int(rng.lognormvariate(REVENUE[c["category"]], 0.6))
        capital = revenue * rng.uniform(0.02, 0.15)
        landline = self.phones.landline(place.prefecture.code4) if rng.random() < 0.6 else None
        if rng.random() < 0.7:
            bank, digits = rng.choice(vocab.BANKS)
            district = self.district(place).removesuffix("区").removesuffix("县")
            city = place.prefecture.short_name
            c["bank_name"] = (
                f"{bank}{city}{district}支行" if district else f"{bank}{city}分行营业部"
            )
            c["bank_account"] = (
                f"{rng.randrange(1, 10)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            )
        c.update(
            kind="organization",
            name=name,
            industry=section,
            established_on=established,
            credit_code=self.credit_code(
                place, established, "93" if name.endswith("专业合作社") else "91"
            ),
            legal_representative=self.person_name(rng.random() < 0.8),
            registered_capital=money(min(_CAPITAL_STEPS, key=lambda s: abs(s - capital)) * 100),
            business_scope=vocab.BUSINESS_SCOPES[section],
            phone=landline or self.phones.mobile(),
            email=self.email() if rng.random() < 0.3 else "",
        )
        if name.endswith("股份有限公司") and rng.random() < 0.3:
            tags.append("上市公司")
        if name.endswith("集团有限公司"):
            tags.append("集团客户")
        ownership = rng.random()
        if ownership < 0.1:
            tags.append("国有企业")
        elif ownership < 0.15:
            tags.append("外资企业")
        elif ownership < 0.6:
            tags.append("民营企业")
        return revenue

    def contacts(self, ci: int, c: dict[str, Any], place: Place, out: Batch) -> None:
        rng = self.rng
        organization = c["kind"] == "organization"
        if not organization:
            people = [(c["name"], "personal", c["phone"])]
            if rng.random() < 0.35:
                people.append((self.person_name(rng.random() < 0.5), "personal", ""))
        else:
            count = rng.choice((1, 2, 2, 3))
            roles = [
                "legal_representative" if rng.random() < 0.5 else "management",
                "finance",
                "purchasing",
            ][:count]
            people = [
                (
                    c["legal_representative"]
                    if role == "legal_representative"
                    else self.person_name(rng.random() < 0.6),
                    role,
                    "",
                )
                for role in roles
            ]
        for index, (name, role, mobile) in enumerate(people):
            landline = None
            if organization and rng.random() < 0.4:
                landline = self.phones.landline(place.prefecture.code4)
            self.add(
                out,
                "contacts",
                customer_id=ci,
                name=name,
                role=role,
                title=rng.choice(vocab.CONTACT_TITLES[role]),
                mobile=mobile or self.phones.mobile(),
                phone=landline or "",
                email=self.email() if rng.random() < 0.3 else "",
                is_primary=index == 0,
                verified_on=(
                    self.as_of - rng.randint(0, 400) * _DAY if rng.random() < 0.6 else None
                ),
            )

    def address(self, ci: int, organization: bool, place: Place, out: Batch) -> None:
        rng = self.rng
        street = f"{self.district(place)}{rng.choice(vocab.STREETS)}{rng.randint(1, 999)}号"
        if organization:
            line = f"{street}{self.brand()}{rng.choice(vocab.BUILDINGS)}{rng.randint(1, 40)}层"
            kind = "registered" if rng.random() < 0.6 else "office"
        else:
            line = (
                f"{street}{self.brand()}{rng.choice(vocab.RESIDENTIAL)}{rng.randint(1, 30)}栋"
                f"{rng.randint(1, 4)}单元{rng.randint(1, 33)}0{rng.randint(1, 6)}室"
            )
            kind = "home"
        self.add(
            out,
            "addresses",
            customer_id=ci,
            kind=kind,
            province=place.province.code,
            city=place.city,
            line=line,
            postcode=self.postcode(place),
        )

    # --- financial statements --------------------------------------------------------------

    def statements(
        self, ci: int, c: dict[str, Any], payer: str, revenue_now: int, out: Batch
    ) -> None:
        rng = self.rng
        latest = self.as_of.year - (1 if self.as_of.month >= 5 else 2)
        established: datetime.date = c["established_on"]
        revenue = float(revenue_now)
        audited = rng.random() < (0.8 if c["category"] in {"strategic", "key"} else 0.35)
        leverage = rng.uniform(0.6, 0.88) if payer in {"late", "bad"} else rng.uniform(0.25, 0.7)
        for year in range(latest, latest - rng.choice((2, 3, 3)), -1):
            if year <= established.year:
                break
            self.statement(ci, year, revenue, leverage, audited, out)
            revenue /= rng.uniform(0.9, 1.2)
            leverage = min(0.92, max(0.15, leverage + rng.uniform(-0.05, 0.05)))

    def statement(
        self, ci: int, year: int, revenue: float, leverage: float, audited: bool, out: Batch
    ) -> None:
        """One annual statement in whole yuan; assets = liabilities + equity exactly."""
        rng = self.rng
        sales = int(revenue)
        assets = int(sales * rng.uniform(0.5, 1.4)) + 10_000
        liabilities = int(assets * leverage)
        current_assets = int(assets * rng.uniform(0.35, 0.8))
        cost = int(sales * rng.uniform(0.62, 0.88))
        interest = int(liabilities * rng.uniform(0.01, 0.03))
        before_tax = sales - cost - int(sales * rng.uniform(0.04, 0.14)) - interest
        net = int(before_tax * 0.75) if before_tax > 0 else before_tax
        self.add(
            out,
            "statements",
            customer_id=ci,
            period_type="annual",
            period_end=datetime.date(year, 12, 31),
            audited=audited,
            cash=money(int(current_assets * rng.uniform(0.1, 0.25)) * 100),
            accounts_receivable=money(int(current_assets * rng.uniform(0.2, 0.4)) * 100),
            inventory=money(int(current_assets * rng.uniform(0.1, 0.3)) * 100),
            current_assets=money(current_assets * 100),
            intangible_assets=money(int(assets * rng.uniform(0, 0.08)) * 100),
            total_assets=money(assets * 100),
            current_liabilities=money(int(liabilities * rng.uniform(0.55, 0.9)) * 100),
            total_liabilities=money(liabilities * 100),
            equity=money((assets - liabilities) * 100),
            revenue=money(sales * 100),
            cost_of_sales=money(cost * 100),
            interest_expense=money(interest * 100),
            profit_before_tax=money(before_tax * 100),
            net_profit=money(net * 100),
            cash_from_sales=money(int(sales * rng.uniform(0.85, 1.1)) * 100),
            operating_cash_flow=money((net + int(sales * rng.uniform(-0.03, 0.07))) * 100),
            investing_cash_flow=money(-int(assets * rng.uniform(0, 0.08)) * 100),
            financing_cash_flow=money(int(assets * rng.uniform(-0.05, 0.05)) * 100),
        )

    # --- contracts, invoices and payments --------------------------------------------------

    def trade(
        self,
        ci: int,
        c: dict[str, Any],
        organization: bool,
        manager: int,
        payer: str,
        currency: str,
        out: Batch,
    ) -> None:
        rng = self.rng
        as_of = self.as_of
        status = c["status"]
        if status == "active":
            window = (as_of - 730 * _DAY, as_of - _DAY)
        elif status == "dormant":
            window = (as_of - 730 * _DAY, as_of - 200 * _DAY)
        else:
            window = (as_of - 730 * _DAY, as_of - 300 * _DAY)
        category = c["category"]
        count = max(1, min(30, round(rng.gammavariate(2.2, 2.4) * INVOICE_COUNT[category])))
        # Contracts: the first signed before the invoicing window, later ones inside it.
        n_contracts = min(3, 1 + (count > 6) + (rng.random() < 0.3))
        signed = sorted(
            [window[0] - rng.randint(0, 180) * _DAY]
            + [self.day_between(*window) for _ in range(n_contracts - 1)]
        )
        terms = [int(self.pick(self.terms, self.terms_cum)) for _ in signed]
        typical = rng.lognormvariate(INVOICE_SIZE[category if organization else "individual"], 0.3)
        drafts: list[_Draft] = []
        for issue in sorted(self.day_between(*window) for _ in range(count)):
            # Invoiced under the latest contract signed by then.
            index = max(i for i, s in enumerate(signed) if s <= issue)
            cents = max(10_000, int(typical * rng.lognormvariate(0, 0.5) * 100))
            drafts.append(_Draft(issue, issue + terms[index] * _DAY, terms[index], cents, index))
        self.plan_payments(drafts, payer, status != "active")
        first_contract = len(out.rows["contracts"])
        for index, signed_on in enumerate(signed):
            linked = sum(d.cents for d in drafts if d.contract == index)
            ends_on = signed_on + (365 * rng.choice((1, 2, 3)) - 1) * _DAY
            if ends_on < as_of:
                contract_status = "terminated" if rng.random() < 0.08 else "completed"
            else:
                contract_status = "active"
            if payer == "bad" and index == len(signed) - 1 and rng.random() < 0.4:
                contract_status = "disputed"
            self.contract_serial += 1
            self.add(
                out,
                "contracts",
                customer_id=ci,
                number=f"HT{signed_on:%Y}{self.contract_serial:07d}",
                title=rng.choice(vocab.CONTRACT_TITLES),
                signed_on=signed_on,
                ends_on=ends_on,
                # Rounded up to thousands of yuan, with room for orders not yet invoiced.
                amount=money(
                    (max(linked, 1_000_000) // 100_000 + 1 + rng.randint(0, 20)) * 100_000
                ),
                currency=currency,
                payment_terms_days=terms[index],
                status=contract_status,
                performance_notes=rng.choice(vocab.PERFORMANCE_NOTES[contract_status]),
            )
        self.write_invoices(ci, c["province"], manager, currency, drafts, first_contract, out)

    def plan_payments(self, drafts: list[_Draft], payer: str, closed: bool) -> None:
        """Decide when each invoice is paid: on time, late, in two parts or not at all."""
        rng = self.rng
        as_of = self.as_of
        low, high = self.payer_delay[payer]
        # Many firms pay in one monthly run, on the 25th; others invoice by invoice.
        monthly = rng.random() < 0.3
        unpaid_tail = rng.randint(1, 3) if payer == "bad" and not closed else 0
        for position, draft in enumerate(drafts):
            paid_on = draft.due + rng.randint(low, high) * _DAY
            if monthly:
                paid_on = _next_25th(paid_on)
            paid_on = max(paid_on, draft.issue + _DAY)
            if closed:
                paid_on = min(paid_on, as_of)
            if position >= len(drafts) - unpaid_tail:
                # A customer in trouble leaves its latest invoices open, some partly paid.
                part_on = draft.due + rng.randint(0, 30) * _DAY
                if rng.random() < 0.4 and part_on <= as_of:
                    draft.events.append((part_on, draft.cents * rng.randint(2, 6) // 10))
                continue
            if paid_on > as_of:
                continue
            if rng.random() < 0.08 and (paid_on - draft.issue).days > 12:
                first_on = paid_on - rng.randint(5, 10) * _DAY
                first = draft.cents * rng.randint(3, 7) // 10
                draft.events.append((first_on, first))
                draft.events.append((paid_on, draft.cents - first))
            else:
                draft.events.append((paid_on, draft.cents))

    def write_invoices(
        self,
        ci: int,
        province: str,
        manager: int,
        currency: str,
        drafts: list[_Draft],
        first_contract: int,
        out: Batch,
    ) -> None:
        rng = self.rng
        by_day: dict[datetime.date, list[tuple[int, int]]] = {}
        for draft in drafts:
            self.invoice_serial += 1
            paid = sum(cents for _on, cents in draft.events)
            invoice = self.add(
                out,
                "invoices",
                customer_id=ci,
                contract_id=first_contract + draft.contract,
                # 数电发票: two-digit year, province, then a serial; twenty digits in all.
                number=f"{draft.issue:%y}{province}2{self.invoice_serial:015d}",
                issue_date=draft.issue,
                due_date=draft.due,
                payment_terms_days=draft.terms,
                amount=money(draft.cents),
                currency=currency,
                amount_paid=money(paid),
                fully_paid_on=max(on for on, _c in draft.events) if paid == draft.cents else None,
                description=rng.choice(vocab.INVOICE_DESCRIPTIONS),
            )
            for on, cents in draft.events:
                by_day.setdefault(on, []).append((invoice, cents))
            if paid < draft.cents and draft.due < self.as_of:
                self.collection_actions(ci, invoice, manager, draft, out)
        # One transfer per day settles everything the customer pays that day.
        for received_on in sorted(by_day):
            parts = by_day[received_on]
            payment = self.add(
                out,
                "payments",
                customer_id=ci,
                received_on=received_on,
                amount=money(sum(cents for _i, cents in parts)),
                currency=currency,
                method=self.pick(self.methods, self.method_cum),
                reference=f"{received_on:%Y%m%d}{rng.randrange(10**10):010d}",
                recorded_by_id=manager,
            )
            for invoice, cents in parts:
                self.add(
                    out, "allocations", payment_id=payment, invoice_id=invoice, amount=money(cents)
                )

    def collection_actions(
        self, ci: int, invoice: int, manager: int, draft: _Draft, out: Batch
    ) -> None:
        """The follow-up of an overdue invoice: reminders, calls, letters and visits every
        week or two since it fell due, sometimes a dispute, and promises to pay: kept where
        a part payment followed one, broken where its date passed without payment, or still
        to come. Each step plans the next; the last one's date is the next action."""
        rng = self.followup_rng
        as_of = self.as_of
        if rng.random() >= FOLLOWED_UP_SHARE:
            return
        # An open invoice has at most one part payment (plan_payments).
        part = draft.events[0] if draft.events else None
        steps: list[dict[str, Any]] = []
        day = draft.due + rng.randint(1, 7) * _DAY
        for stage in range(rng.randint(1, 5)):
            if day > as_of:
                break
            kind = rng.choice(_ESCALATION[min(stage, len(_ESCALATION) - 1)])
            steps.append({"kind": kind, "action_date": day})
            day += rng.randint(5, 20) * _DAY
        if not steps:
            steps.append({"kind": "reminder", "action_date": as_of})
        if part is not None and part[0] > draft.due + _DAY:
            # The part payment came on the day promised: a kept promise.
            made = max(draft.due + _DAY, part[0] - rng.randint(2, 10) * _DAY)
            steps.append(
                {
                    "kind": "promise",
                    "action_date": made,
                    "promised_on": part[0],
                    "promised_amount": money(part[1]),
                    "open_at_promise": money(draft.cents),
                }
            )
        if rng.random() < DISPUTE_SHARE:
            disputed = draft.due + rng.randint(1, (as_of - draft.due).days) * _DAY
            steps.append({"kind": "dispute", "action_date": disputed})
        steps.sort(key=lambda step: step["action_date"])
        last = steps[-1]["action_date"]
        if rng.random() < PROMISE_SHARE and last < as_of:
            # The latest word: a promise, broken once its date passed without a payment.
            made = last + rng.randint(1, (as_of - last).days) * _DAY
            paid_before = sum(cents for on, cents in draft.events if on <= made)
            open_cents = draft.cents - paid_before
            share = rng.choice((10, 10, 5))
            steps.append(
                {
                    "kind": "promise",
                    "action_date": made,
                    "promised_on": made + rng.randint(3, 21) * _DAY,
                    "promised_amount": money(max(100, open_cents * share // 10)),
                    "open_at_promise": money(open_cents),
                }
            )
        notes = vocab.COLLECTION_NOTES
        for position, step in enumerate(steps):
            if position + 1 < len(steps):
                after = steps[position + 1]["action_date"]
            elif "promised_on" in step:
                after = step["promised_on"] + rng.randint(1, 3) * _DAY
            else:
                # Mostly due in the coming days; some have slipped past.
                after = step["action_date"] + rng.randint(3, 21) * _DAY
            self.add(
                out,
                "collection_actions",
                customer_id=ci,
                invoice_id=invoice,
                note=rng.choice(notes[step["kind"]]),
                recorded_by_id=manager,
                next_action_on=max(after, step["action_date"]),
                **step,
            )

    # --- service records and notes ---------------------------------------------------------

    def interactions(self, ci: int, manager: int, payer: str, out: Batch) -> None:
        rng = self.rng
        kinds = list(vocab.SERVICE_TEMPLATES)
        for _ in range(rng.choice((1, 1, 2))):
            if payer in {"late", "bad"} and rng.random() < 0.5:
                kind = "collection"
            else:
                kind = rng.choice(kinds)
            content, result = rng.choice(vocab.SERVICE_TEMPLATES[kind])
            day = self.as_of - rng.randint(1, 365) * _DAY
            self.add(
                out,
                "service_records",
                customer_id=ci,
                occurred_at=datetime.datetime(
                    day.year,
                    day.month,
                    day.day,
                    rng.randint(9, 17),
                    rng.choice((0, 15, 30, 45)),
                    tzinfo=self.tz,
                ),
                kind=kind,
                channel="visit"
                if kind == "visit"
                else rng.choice(("phone", "phone", "wechat", "email")),
                content=content,
                result=result,
                handled_by_id=manager,
            )
        note_kind = rng.choice(list(vocab.NOTE_TEMPLATES))
        subject, body = rng.choice(vocab.NOTE_TEMPLATES[note_kind])
        self.add(
            out,
            "notes",
            customer_id=ci,
            kind=note_kind,
            dated=self.as_of - rng.randint(1, 700) * _DAY,
            subject=subject,
            body=body,
            author_id=manager,
        )


def _next_25th(day: datetime.date) -> datetime.date:
    if day.day <= 25:
        return day.replace(day=25)
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 25)
