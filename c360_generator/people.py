"""The ground-truth universe: companies and the persons every source record belongs to.

People are produced one at a time (a generator) so 100,000 of them never sit in memory
at once; only small look-ups (used emails, recent names, the current household) persist.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from c360_generator import vocab
from c360_generator.variations import email_token

COMMON_NAME_SHARE = 0.03  # persons deliberately given the full name of another, different person
HOUSEHOLD_SHARE = 0.12  # chance a person joins the previous landline household (surname, address, phone)
LANDLINE_SHARE = 0.35  # households whose shared home phone is what every member gives out
PERSONAL_EMAIL_SHARE = 0.7
WORK_EMAIL_SHARE = 0.8
FORMER_EMAIL_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Company:
    record_id: int
    name: str
    domain: str
    industry: str
    employees: int
    city: str
    country: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Household:
    last_name: str
    street: str
    city: str
    postal_code: str
    phone: str  # 10 digits, the home landline
    ip: str
    landline: bool  # members give the landline rather than their own mobile


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    first_name: str
    last_name: str
    emails: tuple[str, ...]  # primary first; at most two (work, personal)
    former_email: str | None  # at a previous employer; only the CRM still remembers it
    mobile: str  # 10 digits
    household: Household
    date_of_birth: date
    company: Company
    job_title: str

    @property
    def phone(self) -> str:
        """The number this person gives out: family members sharing a landline collide here."""
        return self.household.phone if self.household.landline else self.mobile


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class NamePicker:
    """Draws names with square-rooted weights: common names stay common without every third person being a twin."""

    def __init__(self, pairs: list[tuple[str, int]]) -> None:
        self._names = [p[0] for p in pairs]
        self._cumulative = list(itertools.accumulate(p[1] ** 0.5 for p in pairs))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self._names, cum_weights=self._cumulative)[0]


# Draws in a row that found only taken names: the word vocabulary (about 24,000 names) is used up,
# so names get a number ("Blue Harbor Labs 2"), which keeps large universes free of shared
# companies (and so of shared work addresses) without changing smaller ones.
EXHAUSTED_AFTER = 200


def make_companies(rng: random.Random, count: int, ids: IdFactory, before: datetime) -> list[Company]:
    companies: list[Company] = []
    used_names: set[str] = set()
    misses = 0
    while len(companies) < count:
        base = f"{rng.choice(vocab.COMPANY_WORDS_A)} {rng.choice(vocab.COMPANY_WORDS_B)}"
        if base in used_names:
            base = f"{base} {rng.choice(vocab.COMPANY_WORDS_A)}"
            if base in used_names:
                misses += 1
                if misses < EXHAUSTED_AFTER:
                    continue
                base = next(f"{base} {n}" for n in itertools.count(2) if f"{base} {n}" not in used_names)
        misses = 0
        used_names.add(base)
        suffix = rng.choice(vocab.COMPANY_SUFFIXES)
        slug = email_token(base.replace(" ", ""))
        country = weighted(rng, vocab.COMPANY_COUNTRIES)
        city = rng.choice(vocab.FOREIGN_CITIES.get(country) or [c[0] for c in vocab.CITIES])
        companies.append(
            Company(
                record_id=ids.next("company"),
                name=f"{base} {suffix}".strip(),
                domain=f"{slug}.{rng.choice(['com', 'com', 'com', 'io', 'co', 'net'])}",
                industry=rng.choice(vocab.INDUSTRIES),
                employees=int(rng.lognormvariate(4, 1.4)) + 2,
                city=city,
                country=country,
                created_at=before - timedelta(days=rng.randint(30, 1500), seconds=rng.randint(0, 86399)),
            )
        )
    return companies


class IdFactory:
    """Random but unique numeric ids per namespace, like HubSpot's record ids."""

    _DIGITS = {"contact": 11, "company": 10, "deal": 11, "activity": 11}

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: dict[str, set[int]] = {name: set() for name in self._DIGITS}

    def next(self, namespace: str) -> int:
        digits = self._DIGITS[namespace]
        used = self._used[namespace]
        while True:
            value = self._rng.randrange(10 ** (digits - 1), 10**digits)
            if value not in used:
                used.add(value)
                return value


def _phone(rng: random.Random, area_codes: tuple[str, ...]) -> str:
    exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    if exchange[1:] == "11" or exchange == "555":
        exchange = "746"
    return f"{rng.choice(area_codes)}{exchange}{rng.randint(0, 9999):04d}"


def _household(rng: random.Random, last_name: str) -> Household:
    city, _state, zip_prefix, area_codes = rng.choice(vocab.CITIES)
    street = f"{rng.randint(1, 9899)} {rng.choice(vocab.STREET_NAMES)} {rng.choice(vocab.STREET_SUFFIXES)}"
    if rng.random() < 0.25:
        street += f" {rng.choice(['Apt', 'Unit', '#'])} {rng.randint(1, 40)}"
    return Household(
        last_name=last_name,
        street=street,
        city=city,
        postal_code=f"{zip_prefix}{rng.randint(0, 99):02d}",
        phone=_phone(rng, area_codes),
        ip=f"{rng.choice([24, 67, 73, 98, 108, 174, 76])}.{rng.randint(0, 255)}."
        f"{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        landline=rng.random() < LANDLINE_SHARE,
    )


class _EmailBook:
    """Hands out addresses in several real-world patterns, never the same address to two persons."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def work(self, first: str, last: str, domain: str) -> str:
        f, ln = email_token(first), email_token(last).replace("-", "")
        pattern = self._rng.choices(
            [f"{f}.{ln}", f"{f}{ln}", f"{f[0]}{ln}", f"{f[0]}.{ln}", f"{f}", f"{f}_{ln}", f"{f}.{ln[0]}", f"{ln}.{f}"],
            weights=[35, 10, 20, 6, 8, 5, 6, 4],
        )[0]
        return self._claim(pattern, domain)

    def personal(self, first: str, last: str, birth_year: int) -> str:
        f, ln = email_token(first), email_token(last).replace("-", "")
        pattern = self._rng.choices(
            [
                f"{f}.{ln}",
                f"{f}{ln}",
                f"{f}.{ln}{birth_year % 100:02d}",
                f"{f}{ln}{birth_year}",
                f"{f[0]}{ln}",
                f"{ln}.{f}",
                f"{f}_{ln}{self._rng.randint(1, 99)}",
                f"{f}{self._rng.randint(1, 999)}",
            ],
            weights=[20, 15, 15, 10, 10, 5, 10, 15],
        )[0]
        return self._claim(pattern, weighted(self._rng, vocab.EMAIL_PERSONAL_DOMAINS))

    def _claim(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        while email in self._used:
            email = f"{local}{self._rng.randint(2, 9999)}@{domain}"
        self._used.add(email)
        return email


def iter_people(rng: random.Random, count: int, companies: list[Company]) -> Iterator[Person]:
    """Known persons, with deliberate name twins and shared households as hard negatives."""
    emails = _EmailBook(rng)
    first_name, last_name = NamePicker(vocab.FIRST_NAMES), NamePicker(vocab.LAST_NAMES)
    recent_names: deque[tuple[str, str]] = deque(maxlen=500)
    household: Household | None = None
    household_size = 0
    for index in range(1, count + 1):
        joins_household = (
            household is not None and household.landline and household_size < 4 and rng.random() < HOUSEHOLD_SHARE
        )
        if joins_household:
            assert household is not None
            last = household.last_name
            first = first_name(rng)
            household_size += 1
        else:
            if recent_names and rng.random() < COMMON_NAME_SHARE:
                first, last = rng.choice(recent_names)
            else:
                first, last = first_name(rng), last_name(rng)
            household, household_size = _household(rng, last), 1
        recent_names.append((first, last))
        dob = date(1950, 1, 1) + timedelta(days=rng.randint(0, 54 * 365))
        company = companies[
            min(int(rng.paretovariate(1.2)) - 1, len(companies) - 1)
            if rng.random() < 0.3
            else rng.randrange(len(companies))
        ]
        work = emails.work(first, last, company.domain) if rng.random() < WORK_EMAIL_SHARE else None
        personal = (
            emails.personal(first, last, dob.year) if (work is None or rng.random() < PERSONAL_EMAIL_SHARE) else None
        )
        ordered = tuple(e for e in ((work, personal) if rng.random() < 0.8 else (personal, work)) if e)
        former = emails.work(first, last, rng.choice(companies).domain) if rng.random() < FORMER_EMAIL_SHARE else None
        area_codes = next(c[3] for c in vocab.CITIES if c[0] == household.city)
        yield Person(
            person_id=f"P{index:07d}",
            first_name=first,
            last_name=last,
            emails=ordered,
            former_email=former,
            mobile=_phone(rng, area_codes),
            household=household,
            date_of_birth=dob,
            company=company,
            job_title=rng.choice(vocab.JOB_TITLES),
        )
