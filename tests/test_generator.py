"""The sample-data generator: determinism, truth completeness, contract shapes, and built-in difficulty."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from c360.settings import SAMPLE_DIR, SAMPLE_TRUTH
from c360_generator import generate

CONTRACT_HEADERS = {
    "crm/contacts.csv": "Record ID,First Name,Last Name,Email,Additional email addresses,Phone Number,Company Name,"
    "Job Title,Street Address,City,Postal Code,Date of birth,Lifecycle Stage,Contact owner,"
    "Create Date,Last Modified Date,Archived",
    "crm/companies.csv": "Record ID,Company name,Company Domain Name,Industry,Number of Employees,City,Country/Region,"
    "Create Date,Last Modified Date",
    "crm/deals.csv": "Record ID,Deal Name,Deal Stage,Pipeline,Amount,Close Date,Deal owner,Associated Contact ID,"
    "Associated Company ID,Create Date,Last Modified Date",
    "crm/activities.csv": "Activity ID,Activity Type,Activity Date,Associated Contact ID,Associated Deal ID,"
    "Activity owner,Subject",
    "email/campaigns.csv": "Campaign ID,Campaign Name,Subject,Send Time",
    "email/activity.csv": "Recipient ID,Email Address,First Name,Last Name,Campaign ID,Action,Timestamp,URL,Bounce Type",
}
TRUTH_SOURCES = {"crm_contact", "web_anonymous_id", "web_user_id", "email_recipient"}


class Landing:
    """Parsed output of one generator run, shared by the tests that only read it."""

    def __init__(self, out_dir: Path, truth_path: Path, counts: dict[str, int]) -> None:
        self.out_dir, self.counts = out_dir, counts
        self.truth_rows = list(csv.DictReader(truth_path.open(encoding="utf-8")))
        self.truth = {(r["source"], r["source_record_id"]): r["person_id"] for r in self.truth_rows}
        self.contacts = self.read_csv("crm/contacts.csv")
        self.activity = self.read_csv("email/activity.csv")
        self.events = [
            (path, json.loads(line))
            for path in sorted((out_dir / "web").glob("events-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
        ]

    def read_csv(self, name: str) -> list[dict[str, str]]:
        return list(csv.DictReader((self.out_dir / name).open(encoding="utf-8", newline="")))

    def person(self, source: str, record_id: str) -> str:
        return self.truth[(source, record_id)]


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    root = tmp_path_factory.mktemp("gen")
    counts = generate(root / "landing", root / "truth.csv", n_people=2000, seed=7, days=30)
    return Landing(root / "landing", root / "truth.csv", counts)


def _all_bytes(out_dir: Path, truth: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(out_dir)): p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()}
    return {**files, "truth": truth.read_bytes()}


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(tmp_path / name, tmp_path / f"{name}.csv", n_people=300, seed=seed, days=10)
        runs[name] = _all_bytes(tmp_path / name, tmp_path / f"{name}.csv")
    assert runs["a"] == runs["b"]
    assert runs["a"].keys() == runs["c"].keys()
    assert all(runs["a"][f] != runs["c"][f] for f in ("crm/contacts.csv", "email/activity.csv", "truth"))


def test_bundled_sample_is_what_the_generator_produces(tmp_path: Path) -> None:
    generate(tmp_path / "sample", tmp_path / "truth.csv")
    assert _all_bytes(tmp_path / "sample", tmp_path / "truth.csv") == _all_bytes(SAMPLE_DIR, SAMPLE_TRUTH)


def test_truth_must_live_outside_the_landing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside"):
        generate(tmp_path, tmp_path / "truth" / "t.csv", n_people=5)


def test_headers_match_the_contract(landing: Landing) -> None:
    for name, header in CONTRACT_HEADERS.items():
        assert (landing.out_dir / name).read_text(encoding="utf-8").split("\n", 1)[0] == header
    assert sorted(p.name for p in (landing.out_dir / "web").iterdir()) == [
        f"events-{date(2026, 9, 1) + timedelta(days=d):%Y-%m-%d}.jsonl" for d in range(30)
    ]


def test_returned_counts_are_the_rows_written(landing: Landing) -> None:
    for name, rows in landing.counts.items():
        if name == "truth":
            assert rows == len(landing.truth_rows)
        else:
            lines = (landing.out_dir / name).read_text(encoding="utf-8").splitlines()
            assert rows == len(lines) - (0 if name.endswith(".jsonl") else 1)


def test_events_follow_the_segment_shape_and_land_in_their_day_file(landing: Landing) -> None:
    types = Counter()
    for path, event in landing.events:
        types[event["type"]] += 1
        assert {"messageId", "type", "anonymousId", "userId", "timestamp", "properties", "context"} <= event.keys()
        assert event["timestamp"].endswith("Z") and path.name == f"events-{event['timestamp'][:10]}.jsonl"
        assert {"ip", "userAgent", "page"} <= event["context"].keys()
        assert event["context"]["page"].keys() == {"url", "path", "referrer", "title"}
        if event["type"] == "track":
            assert event["event"] in {"Product Viewed", "Signed Up", "Order Completed"}
        if event["type"] == "identify":
            assert event["userId"].startswith("usr_") and "@" in event["traits"]["email"]
    assert types["page"] > types["track"] > 0 and types["identify"] > 0
    orders = [e for _, e in landing.events if e.get("event") == "Order Completed"]
    assert orders and all(e["properties"]["revenue"] > 0 and e["userId"] for e in orders)


def test_truth_lists_every_person_bearing_id_exactly_once(landing: Landing) -> None:
    pairs = Counter((r["source"], r["source_record_id"]) for r in landing.truth_rows)
    assert max(pairs.values()) == 1 and {s for s, _ in pairs} == TRUTH_SOURCES
    seen = {("crm_contact", c["Record ID"]) for c in landing.contacts}
    seen |= {("email_recipient", a["Recipient ID"]) for a in landing.activity}
    seen |= {("web_anonymous_id", e["anonymousId"]) for _, e in landing.events}
    seen |= {("web_user_id", e["userId"]) for _, e in landing.events if e["userId"]}
    assert seen == set(pairs)


def test_crm_references_point_at_existing_records(landing: Landing) -> None:
    contact_ids = {c["Record ID"] for c in landing.contacts}
    company_ids = {c["Record ID"] for c in landing.read_csv("crm/companies.csv")}
    deals = landing.read_csv("crm/deals.csv")
    assert {d["Deal Stage"] for d in deals} >= {"closedwon", "closedlost"}
    assert all(d["Associated Contact ID"] in contact_ids and d["Associated Company ID"] in company_ids for d in deals)
    activities = landing.read_csv("crm/activities.csv")
    deal_ids = {d["Record ID"] for d in deals}
    assert {a["Activity Type"] for a in activities} == {"CALL", "MEETING", "NOTE", "EMAIL", "TASK"}
    assert all(a["Associated Contact ID"] in contact_ids for a in activities)
    assert all(a["Associated Deal ID"] in deal_ids for a in activities if a["Associated Deal ID"])


def test_duplicate_contacts_are_about_fifteen_percent_and_vary(landing: Landing) -> None:
    by_person = defaultdict(list)
    for contact in landing.contacts:
        by_person[landing.person("crm_contact", contact["Record ID"])].append(contact)
    duplicated = [records for records in by_person.values() if len(records) > 1]
    assert 0.11 < len(duplicated) / len(by_person) < 0.20
    first_names_differ = sum(1 for recs in duplicated if len({r["First Name"] for r in recs}) > 1)
    emails_differ = sum(1 for recs in duplicated if len({r["Email"].lower() for r in recs}) > 1)
    assert first_names_differ > 0.1 * len(duplicated) and emails_differ > 0.1 * len(duplicated)
    assert 0 < sum(c["Archived"] == "true" for c in landing.contacts) < 0.1 * len(landing.contacts)
    assert any(";" in c["Additional email addresses"] for c in landing.contacts)


def test_distinct_people_share_names_and_households(landing: Landing) -> None:
    persons_by_name = defaultdict(set)
    persons_by_household = defaultdict(set)
    for contact in landing.contacts:
        person = landing.person("crm_contact", contact["Record ID"])
        persons_by_name[(contact["First Name"], contact["Last Name"])].add(person)
        phone = re.sub(r"\D", "", contact["Phone Number"])[-10:]
        if phone and contact["Street Address"]:
            persons_by_household[(contact["Last Name"], contact["Street Address"], phone)].add(person)
    crm_persons = {landing.person("crm_contact", c["Record ID"]) for c in landing.contacts}
    name_twins = set().union(*(p for p in persons_by_name.values() if len(p) > 1))
    family = set().union(*(p for p in persons_by_household.values() if len(p) > 1))
    assert 0.03 < len(name_twins) / len(crm_persons) < 0.15
    assert 0.02 < len(family) / len(crm_persons) < 0.10


def test_devices_mostly_identifiable_with_a_residual(landing: Landing) -> None:
    identified, stitched, devices = set(), set(), set()
    for _, event in landing.events:
        anonymous_id = event["anonymousId"]
        if landing.person("web_anonymous_id", anonymous_id).startswith("P"):
            devices.add(anonymous_id)
            if event["type"] == "identify":
                identified.add(anonymous_id)
            if "mc_eid=" in event["context"]["page"]["url"]:
                stitched.add(anonymous_id)
    never = devices - identified - stitched
    assert 0.05 < len(never) / len(devices) < 0.16
    assert len(identified) > 0.6 * len(devices) and len(stitched - identified) > 0.05 * len(devices)
    anonymous_only = [
        e for _, e in landing.events if landing.person("web_anonymous_id", e["anonymousId"]).startswith("V")
    ]
    visitors = {e["anonymousId"] for e in anonymous_only}
    assert 0.8 * 2000 <= len(visitors) <= 2000 and not any(e["userId"] for e in anonymous_only)


def test_user_id_is_null_until_the_device_logs_in_and_stable_per_person(landing: Landing) -> None:
    current: dict[str, str | None] = {}
    for _, event in landing.events:
        before = current.get(event["anonymousId"])
        if before is None and event["userId"] is not None:
            assert event["type"] == "identify"
        if before is not None:
            assert event["userId"] == before
        current[event["anonymousId"]] = event["userId"]
    for anonymous_id, user_id in current.items():
        if user_id:
            assert landing.person("web_user_id", user_id) == landing.person("web_anonymous_id", anonymous_id)


def test_email_landings_carry_a_clicked_recipient_of_the_same_person(landing: Landing) -> None:
    clicks = defaultdict(list)
    for row in landing.activity:
        if row["Action"] == "click":
            clicks[row["Recipient ID"]].append(datetime.strptime(row["Timestamp"], "%Y-%m-%d %H:%M:%S"))
    first_hits: dict[tuple[str, str], dict] = {}
    for _, event in landing.events:  # files and lines are in time order: the first hit is the landing
        if "mc_eid=" in event["context"]["page"]["url"]:
            first_hits.setdefault((event["anonymousId"], event["context"]["page"]["url"]), event)
    assert first_hits
    for event in first_hits.values():
        recipient = re.search(r"mc_eid=([0-9a-f]+)", event["context"]["page"]["url"]).group(1)
        landed = datetime.strptime(event["timestamp"][:19], "%Y-%m-%dT%H:%M:%S")
        assert any(timedelta(0) <= landed - at <= timedelta(minutes=1) for at in clicks[recipient])
        assert landing.person("email_recipient", recipient) == landing.person("web_anonymous_id", event["anonymousId"])


def test_email_activity_has_realistic_actions_and_messy_addresses(landing: Landing) -> None:
    actions = Counter(r["Action"] for r in landing.activity)
    assert set(actions) == {"sent", "open", "click", "bounce", "unsubscribe", "spam"}
    assert actions["open"] < actions["sent"] and actions["click"] < actions["open"]
    assert all(r["URL"] for r in landing.activity if r["Action"] == "click")
    assert {r["Bounce Type"] for r in landing.activity if r["Action"] == "bounce"} == {"hard", "soft"}
    addresses = {r["Recipient ID"]: r["Email Address"] for r in landing.activity}
    assert any(a != a.strip() for a in addresses.values()) and any(a != a.lower() for a in addresses.values())
    per_person = Counter(landing.person("email_recipient", r) for r in addresses)
    assert sum(1 for n in per_person.values() if n > 1) > 0.05 * len(per_person)


@pytest.mark.scale
def test_hundred_thousand_people_is_feasible(tmp_path: Path) -> None:
    counts = generate(tmp_path / "big", tmp_path / "truth.csv", n_people=100_000, seed=1)
    assert counts["crm/contacts.csv"] > 100_000 and counts["truth"] > 400_000


def test_linkable_groups_join_records_of_one_person_only_through_shared_evidence() -> None:
    from c360_generator.linkable import linkable_groups

    records = [
        ("crm_contact", "1", "P1"),
        ("email_recipient", "r1", "P1"),
        ("web_anonymous_id", "a1", "P1"),
        ("web_user_id", "u1", "P1"),
        ("web_anonymous_id", "a2", "P1"),
        ("crm_contact", "2", "P2"),
    ]
    evidence = {
        "crm_contact:1": {"email:ann@x.com", "phone:5550001111"},
        "email_recipient:r1": {"email:ann@x.com", "recipient:r1"},
        "web_anonymous_id:a1": {"device:a1", "recipient:r1"},  # landed from an email click
        "web_user_id:u1": {"user:u1"},  # logged in on a device not in this list
        "web_anonymous_id:a2": {"device:a2"},  # never identified
        "crm_contact:2": {"email:ann@x.com"},  # another person with the same address is not evidence for P1
    }

    assert linkable_groups(records, evidence) == ["P1.1", "P1.1", "P1.1", "P1.2", "P1.3", "P2.1"]


def test_truth_marks_never_identified_devices_as_their_own_linkable_group(landing: Landing) -> None:
    groups = Counter(row["linkable_group"] for row in landing.truth_rows)
    for row in landing.truth_rows:
        assert row["linkable_group"].startswith(row["person_id"] + ".")
        if row["person_id"].startswith("V"):  # anonymous-only visitors
            assert groups[row["linkable_group"]] == 1
    people_with_unlinkable_records = {
        r["person_id"] for r in landing.truth_rows if not r["linkable_group"].endswith(".1")
    }
    assert people_with_unlinkable_records  # the generator leaves some records with nothing in common
