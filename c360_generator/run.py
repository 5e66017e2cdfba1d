"""Entry point: one deterministic pass that writes every landing file plus the ground truth."""

from __future__ import annotations

import argparse
import csv
import logging
import random
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from c360_generator.crm import CrmWriter
from c360_generator.linkable import add_linkable_groups
from c360_generator.mail import MailWriter, make_campaigns
from c360_generator.people import IdFactory, iter_people, make_companies
from c360_generator.web import WebWriter

log = logging.getLogger(__name__)

TRUTH_HEADER = ["source", "source_record_id", "person_id"]  # plus linkable_group, see linkable.py
ANONYMOUS_VISITOR_RATIO = 1.0  # anonymous-only browsers per known person
PEOPLE_PER_COMPANY = 6


def generate(
    out_dir: Path,
    truth_path: Path,
    n_people: int = 2000,
    seed: int = 42,
    start: date = date(2026, 9, 1),
    days: int = 30,
) -> dict[str, int]:
    """Write crm/, web/ and email/ landing files under out_dir and the truth CSV; returns rows per file.

    Each source draws from its own seeded stream, so the output is byte-identical for a seed.
    The truth file must live outside out_dir: the pipeline reads out_dir and must never see it.
    """
    out_dir, truth_path = Path(out_dir).resolve(), Path(truth_path).resolve()
    if truth_path.is_relative_to(out_dir):
        raise ValueError("truth_path must be outside out_dir, or the pipeline would ingest the answers")
    if n_people < 1 or days < 1:
        raise ValueError("n_people and days must be positive")
    began = time.monotonic()
    for source in ("crm", "web", "email"):
        shutil.rmtree(out_dir / source, ignore_errors=True)
        (out_dir / source).mkdir(parents=True)
    truth_path.parent.mkdir(parents=True, exist_ok=True)

    window_start = datetime(start.year, start.month, start.day)
    window_end = window_start + timedelta(days=days)
    ids = IdFactory(random.Random(f"{seed}:ids"))
    companies = make_companies(
        random.Random(f"{seed}:companies"), max(10, n_people // PEOPLE_PER_COMPANY), ids, window_start
    )
    crm = CrmWriter(random.Random(f"{seed}:crm"), ids, out_dir / "crm", window_start, window_end)
    mail = MailWriter(
        random.Random(f"{seed}:mail"),
        out_dir / "email",
        make_campaigns(random.Random(f"{seed}:campaigns"), window_start, days),
        window_end,
    )
    web = WebWriter(random.Random(f"{seed}:web"), out_dir / "web", window_start, days)

    truth_rows = 0
    with truth_path.open("w", encoding="utf-8", newline="") as handle:
        truth = csv.writer(handle, lineterminator="\n")
        truth.writerow(TRUTH_HEADER)
        for index, person in enumerate(iter_people(random.Random(f"{seed}:people"), n_people, companies), 1):
            rows = [("crm_contact", contact_id) for contact_id in crm.add_person(person)]
            recipients = mail.subscribe(person)
            devices, user_id = web.plan_devices(person, bool(recipients))
            clicks = mail.write_activity(recipients, sum(1 for d in devices if d.mode == "email"))
            anonymous_ids, seen_user_id = web.write_person(person, devices, user_id, clicks)
            rows += [("email_recipient", r.recipient_id) for r in recipients]
            rows += [("web_anonymous_id", a) for a in anonymous_ids]
            if seen_user_id:
                rows.append(("web_user_id", seen_user_id))
            truth.writerows([source, record_id, person.person_id] for source, record_id in rows)
            truth_rows += len(rows)
            if index % 10000 == 0:
                log.info("generated %d persons in %.1fs", index, time.monotonic() - began)
        for index in range(1, int(n_people * ANONYMOUS_VISITOR_RATIO) + 1):
            truth.writerow(["web_anonymous_id", web.write_anonymous_visitor(), f"V{index:07d}"])
            truth_rows += 1

    counts = {**crm.finish(companies), **mail.finish(), **web.finish(), "truth": truth_rows}
    add_linkable_groups(out_dir, truth_path)
    log.info(
        "wrote %d landing rows and %d truth rows in %.1fs",
        sum(v for k, v in counts.items() if k != "truth"),
        truth_rows,
        time.monotonic() - began,
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m c360_generator", description=generate.__doc__)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True, help="landing root; crm/, web/, email/ are replaced")
    parser.add_argument("--truth", type=Path, required=True, help="truth CSV path, outside --out")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 9, 1))
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    counts = generate(args.out, args.truth, args.people, args.seed, args.start, args.days)
    for name, rows in counts.items():
        print(f"{name}\t{rows}")
    return 0
