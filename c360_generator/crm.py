"""HubSpot-shaped CRM export: contacts (with realistic duplicates), companies, deals, activities."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

from c360_generator import vocab
from c360_generator.people import Company, IdFactory, Person, weighted
from c360_generator.spool import SortedSpool, csv_line
from c360_generator.variations import ascii_fold, format_us_phone, messy_email, nickname, typo

CONTACT_HEADER = (
    "Record ID,First Name,Last Name,Email,Additional email addresses,Phone Number,Company Name,"
    "Job Title,Street Address,City,Postal Code,Date of birth,Lifecycle Stage,Contact owner,"
    "Create Date,Last Modified Date,Archived"
)
COMPANY_HEADER = (
    "Record ID,Company name,Company Domain Name,Industry,Number of Employees,City,Country/Region,"
    "Create Date,Last Modified Date"
)
DEAL_HEADER = (
    "Record ID,Deal Name,Deal Stage,Pipeline,Amount,Close Date,Deal owner,Associated Contact ID,"
    "Associated Company ID,Create Date,Last Modified Date"
)
ACTIVITY_HEADER = (
    "Activity ID,Activity Type,Activity Date,Associated Contact ID,Associated Deal ID,Activity owner,Subject"
)

IN_CRM_SHARE = 0.92  # the rest are known only to the email tool and the website
DUPLICATE_SHARE = 0.15  # persons in the CRM with at least one duplicate contact
SECOND_DUPLICATE_SHARE = 0.10  # of those, persons with a second duplicate
DUPLICATE_MUTATIONS = (
    "nickname",
    "typo_first",
    "typo_last",
    "other_email",
    "no_email",
    "no_phone",
    "no_dob",
    "no_address",
    "email_case",
    "company_variant",
    "fold_accents",
)

TS = "%Y-%m-%d %H:%M:%S"


def _between(rng: random.Random, low: datetime, high: datetime) -> datetime:
    span = max(int((high - low).total_seconds()), 1)
    return low + timedelta(seconds=rng.randrange(span))


def _company_variant(rng: random.Random, name: str) -> str:
    for suffix in ("Inc.", "LLC", "Corp.", "Co.", "Ltd.", "GmbH"):
        if name.endswith(" " + suffix):
            base = name[: -len(suffix) - 1]
            return rng.choice([base, f"{base}, {suffix}", base.lower()])
    return rng.choice([f"{name} Inc", name.upper(), name.lower()])


class CrmWriter:
    """Streams contacts per person; companies, deals and activities follow once contacts are known."""

    def __init__(
        self, rng: random.Random, ids: IdFactory, out_dir: Path, window_start: datetime, window_end: datetime
    ) -> None:
        self._rng, self._ids = rng, ids
        self._dir = out_dir
        self._start, self._end = window_start, window_end
        self._contacts = SortedSpool(out_dir / "contacts.csv", CONTACT_HEADER)
        self._activities = SortedSpool(out_dir / "activities.csv", ACTIVITY_HEADER)
        self._company_contacts: dict[int, list[tuple[int, datetime]]] = {}

    def add_person(self, person: Person) -> list[int]:
        """Write the person's contact records; returns their Record IDs (empty if not in the CRM)."""
        rng = self._rng
        if rng.random() >= IN_CRM_SHARE:
            return []
        created = self._start - timedelta(days=rng.randint(1, 900), seconds=rng.randint(0, 86399))
        if rng.random() < 0.08:
            created = _between(rng, self._start, self._end)
        ids = [self._write_contact(person, created, archived=rng.random() < 0.02, mutations=())]
        if rng.random() < DUPLICATE_SHARE:
            copies = 2 if rng.random() < SECOND_DUPLICATE_SHARE else 1
            for _ in range(copies):
                dup_created = _between(rng, created, self._end)
                mutations = tuple(rng.sample(DUPLICATE_MUTATIONS, k=rng.randint(1, 3)))
                ids.append(self._write_contact(person, dup_created, archived=rng.random() < 0.2, mutations=mutations))
        return ids

    def _write_contact(self, person: Person, created: datetime, archived: bool, mutations: tuple[str, ...]) -> int:
        rng = self._rng
        first, last = person.first_name, person.last_name
        if not mutations and rng.random() < 0.03:
            first = ascii_fold(first)
        email = person.emails[0] if rng.random() >= 0.03 else ""
        extra = [person.emails[1]] if len(person.emails) > 1 and rng.random() < 0.5 else []
        if person.former_email and rng.random() < 0.7:
            extra.append(person.former_email)
        additional = ";".join(extra)
        if email and rng.random() < 0.03:
            email = messy_email(rng, email).strip()
        phone = format_us_phone(rng, person.phone) if rng.random() >= 0.08 else ""
        company_name = person.company.name
        household = person.household
        street, postal = (household.street, household.postal_code) if rng.random() >= 0.08 else ("", "")
        dob = person.date_of_birth.isoformat() if rng.random() >= 0.4 else ""
        for mutation in mutations:
            if mutation == "nickname":
                first = nickname(rng, person.first_name) or typo(rng, first)
            elif mutation == "typo_first":
                first = typo(rng, first)
            elif mutation == "typo_last":
                last = typo(rng, last)
            elif mutation == "other_email" and len(person.emails) > 1:
                email = person.emails[1]
                additional = person.emails[0] if rng.random() < 0.3 else ""
            elif mutation == "no_email":
                email, additional = "", ""
            elif mutation == "no_phone":
                phone = ""
            elif mutation == "no_dob":
                dob = ""
            elif mutation == "no_address":
                street, postal = "", ""
            elif mutation == "email_case" and email:
                email = messy_email(rng, email).strip()
            elif mutation == "company_variant":
                company_name = _company_variant(rng, company_name)
            elif mutation == "fold_accents":
                first, last = ascii_fold(first), ascii_fold(last)
        if not (email or additional or phone):
            phone = format_us_phone(rng, person.phone)  # a record nobody could ever match is not a duplicate
        record_id = self._ids.next("contact")
        modified = _between(rng, created, self._end)
        self._contacts.add(
            f"{record_id:011d}",
            csv_line(
                [
                    record_id,
                    first,
                    last,
                    email,
                    additional,
                    phone,
                    company_name,
                    person.job_title,
                    street,
                    household.city,
                    postal,
                    dob,
                    weighted(rng, vocab.LIFECYCLE_STAGES),
                    rng.choice(vocab.OWNERS),
                    created.strftime(TS),
                    modified.strftime(TS),
                    "true" if archived else "false",
                ]
            ),
        )
        self._company_contacts.setdefault(person.company.record_id, []).append((record_id, created))
        for _ in range(rng.choices([0, 1, 2, 3], weights=[40, 30, 18, 12])[0]):
            self._write_activity(record_id, None, created)
        return record_id

    def _write_activity(self, contact_id: int, deal_id: int | None, after: datetime) -> None:
        rng = self._rng
        kind = rng.choices(list(vocab.ACTIVITY_SUBJECTS), weights=[30, 15, 20, 25, 10])[0]
        when = _between(rng, max(after, self._end - timedelta(days=365)), self._end)
        activity_id = self._ids.next("activity")
        self._activities.add(
            f"{when.strftime(TS)} {activity_id:011d}",
            csv_line(
                [
                    activity_id,
                    kind,
                    when.strftime(TS),
                    contact_id,
                    deal_id or "",
                    rng.choice(vocab.OWNERS),
                    rng.choice(vocab.ACTIVITY_SUBJECTS[kind]),
                ]
            ),
        )

    def finish(self, companies: list[Company]) -> dict[str, int]:
        """Write companies and deals (which need every contact), then publish the sorted files."""
        rng = self._rng
        counts = {"crm/companies.csv": len(companies)}
        with (self._dir / "companies.csv").open("w", encoding="utf-8", newline="") as handle:
            handle.write(COMPANY_HEADER + "\n")
            writer = csv.writer(handle, lineterminator="\n")
            for company in sorted(companies, key=lambda c: c.record_id):
                modified = _between(rng, company.created_at, self._end)
                writer.writerow(
                    [
                        company.record_id,
                        company.name,
                        company.domain,
                        company.industry,
                        company.employees,
                        company.city,
                        company.country,
                        company.created_at.strftime(TS),
                        modified.strftime(TS),
                    ]
                )
        deals = SortedSpool(self._dir / "deals.csv", DEAL_HEADER)
        for company in companies:
            contacts = self._company_contacts.get(company.record_id)
            if not contacts or rng.random() >= 0.35:
                continue
            for _ in range(rng.randint(1, 3)):
                self._write_deal(deals, company, rng.choice(contacts))
        counts["crm/deals.csv"] = deals.finish()
        counts["crm/contacts.csv"] = self._contacts.finish()
        counts["crm/activities.csv"] = self._activities.finish()
        return counts

    def _write_deal(self, deals: SortedSpool, company: Company, contact: tuple[int, datetime]) -> None:
        rng = self._rng
        contact_id, contact_created = contact
        stage = weighted(rng, vocab.DEAL_STAGES)
        product = rng.choice(vocab.DEAL_PRODUCTS)
        created = _between(rng, max(contact_created, self._end - timedelta(days=400)), self._end - timedelta(hours=1))
        if stage in ("closedwon", "closedlost"):
            close = _between(rng, created, min(created + timedelta(days=120), self._end))
        else:
            close = self._end + timedelta(days=rng.randint(1, 90))
        amount = round(rng.choice([588, 2388, 23880, 4800, 12000, 60000]) * rng.uniform(0.8, 1.5), -1)
        deal_id = self._ids.next("deal")
        deals.add(
            f"{deal_id:011d}",
            csv_line(
                [
                    deal_id,
                    f"{company.name} - {product}",
                    stage,
                    "default",
                    f"{amount:.2f}",
                    close.strftime(TS),
                    rng.choice(vocab.OWNERS),
                    contact_id,
                    company.record_id,
                    created.strftime(TS),
                    _between(rng, created, self._end).strftime(TS),
                ]
            ),
        )
        for _ in range(rng.randint(1, 3)):
            self._write_activity(contact_id, deal_id, created)
