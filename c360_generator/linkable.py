"""Which records of one person share any evidence a resolver could link them by.

Some true pairs carry nothing in common (a browser that never logged in nor clicked an email
link), so no resolver can join them and recall on all pairs understates what a resolver does
with the evidence it has. The rule, applied to the landing files as written (after typos,
nicknames and odd formats), reads them on its own so the truth never borrows the resolver's code:

two records of ONE person are directly linkable when they share
- an email address (trimmed, case-folded): CRM `Email` and `Additional email addresses`,
  identify `traits.email`, the email tool's `Email Address`;
- a phone number (its last 10 digits): CRM `Phone Number`, identify `traits.phone`;
- a web identity link: an event carrying both `anonymousId` and `userId` (the identify/login
  contract), an `alias` event (`previousId` -> `userId`), or a page URL carrying
  `mc_eid=<Recipient ID>` (an email-link click) on an anonymous id;
- name plus a second attribute: the first or the last name equal (DuckDB's strip_accents, case-folded)
  AND the date of birth equal or the street and postal code both equal.

`linkable_group` is the connected component of that relation among the person's records,
written `<person_id>.<n>` (n counts the person's components in truth-file order); a pair of
records is linkable when both carry the same group.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb

_FOLD = "lower(trim(strip_accents({0})))"

# (record key, evidence key) for every piece of evidence a landing record carries.
_EVIDENCE_SQL = """
WITH contacts AS (
    SELECT 'crm_contact:' || "Record ID" AS record, "Email" AS email, "Additional email addresses" AS extra,
           "Phone Number" AS phone, {first} AS first_name, {last} AS last_name,
           nullif(trim("Date of birth"), '') AS dob,
           CASE WHEN trim("Street Address") <> '' AND trim("Postal Code") <> ''
                THEN lower(trim("Street Address")) || '|' || trim("Postal Code") END AS address
    FROM read_csv('{crm}', header = true, all_varchar = true)
), events AS (
    SELECT "type" AS kind, anonymousId AS anonymous_id, CAST(userId AS VARCHAR) AS user_id,
           CAST(previousId AS VARCHAR) AS previous_id, traits.email AS email, traits.phone AS phone,
           regexp_extract(context.page.url, '[?&]mc_eid=([^&#]+)', 1) AS mc_eid
    FROM read_json('{web}', format = 'newline_delimited', union_by_name = true, columns = {{
        "type": 'VARCHAR', anonymousId: 'VARCHAR', userId: 'VARCHAR', previousId: 'VARCHAR',
        traits: 'STRUCT(email VARCHAR, phone VARCHAR)', context: 'STRUCT(page STRUCT(url VARCHAR))'}})
), web_records AS (
    SELECT 'web_anonymous_id:' || anonymous_id AS record, * FROM events WHERE anonymous_id IS NOT NULL
    UNION ALL
    SELECT 'web_user_id:' || user_id, * FROM events WHERE user_id IS NOT NULL
), recipients AS (
    SELECT DISTINCT 'email_recipient:' || "Recipient ID" AS record, "Email Address" AS email
    FROM read_csv('{email}', header = true, all_varchar = true)
)
SELECT record, 'email:' || lower(trim(email)) FROM contacts WHERE trim(email) <> ''
UNION SELECT record, 'email:' || lower(trim(e)) FROM contacts, unnest(string_split(extra, ';')) t(e)
    WHERE trim(e) <> ''
UNION SELECT record, 'phone:' || right(regexp_replace(phone, '[^0-9]', '', 'g'), 10) FROM contacts
    WHERE length(regexp_replace(phone, '[^0-9]', '', 'g')) >= 10
UNION SELECT record, 'name_dob:' || n || '|' || dob FROM contacts, unnest([first_name, last_name]) t(n)
    WHERE n <> '' AND dob IS NOT NULL
UNION SELECT record, 'name_address:' || n || '|' || address FROM contacts, unnest([first_name, last_name]) t(n)
    WHERE n <> '' AND address IS NOT NULL
UNION SELECT record, 'email:' || lower(trim(email)) FROM web_records WHERE trim(email) <> ''
UNION SELECT record, 'phone:' || right(regexp_replace(phone, '[^0-9]', '', 'g'), 10) FROM web_records
    WHERE length(regexp_replace(phone, '[^0-9]', '', 'g')) >= 10
UNION SELECT record, 'device:' || anonymous_id FROM web_records WHERE anonymous_id IS NOT NULL
UNION SELECT record, 'device:' || previous_id FROM web_records WHERE kind = 'alias' AND previous_id IS NOT NULL
UNION SELECT record, 'user:' || previous_id FROM web_records WHERE kind = 'alias' AND previous_id IS NOT NULL
UNION SELECT record, 'user:' || user_id FROM web_records WHERE user_id IS NOT NULL AND record LIKE 'web_user_id:%'
UNION SELECT record, 'recipient:' || mc_eid FROM web_records
    WHERE mc_eid <> '' AND record LIKE 'web_anonymous_id:%'
UNION SELECT record, 'recipient:' || substr(record, length('email_recipient:') + 1) FROM recipients
UNION SELECT record, 'email:' || lower(trim(email)) FROM recipients WHERE trim(email) <> ''
"""


def record_evidence(landing: Path) -> dict[str, set[str]]:
    """Evidence keys per record key (`<source>:<source_record_id>`), read from the landing files."""
    sql = _EVIDENCE_SQL.format(
        crm=landing / "crm" / "contacts.csv",
        web=landing / "web" / "events-*.jsonl",
        email=landing / "email" / "activity.csv",
        first=_FOLD.format('"First Name"'),
        last=_FOLD.format('"Last Name"'),
    )
    evidence: dict[str, set[str]] = defaultdict(set)
    with duckdb.connect() as con:
        for record, key in con.execute(sql).fetchall():
            evidence[record].add(key)
    return evidence


def linkable_groups(records: list[tuple[str, str, str]], evidence: dict[str, set[str]]) -> list[str]:
    """`<person_id>.<n>` for each (source, source_record_id, person_id), in the given order."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for source, record_id, person in records:
        record = f"{source}:{record_id}"
        for key in evidence.get(record, ()):
            # evidence counts only between records of one person: scope each key to the person
            parent[find(f"{person}|{key}")] = find(record)
    numbers: dict[str, str] = {}
    per_person: dict[str, int] = defaultdict(int)
    groups = []
    for source, record_id, person in records:
        root = find(f"{source}:{record_id}")
        if root not in numbers:
            per_person[person] += 1
            numbers[root] = f"{person}.{per_person[person]}"
        groups.append(numbers[root])
    return groups


def add_linkable_groups(landing: Path, truth_path: Path) -> None:
    """Rewrite the truth CSV with a fourth column, `linkable_group`."""
    with truth_path.open(encoding="utf-8", newline="") as handle:
        rows = [tuple(row) for row in csv.reader(handle)]
    header, records = rows[0], rows[1:]
    groups = linkable_groups(records, record_evidence(landing))
    with truth_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*header, "linkable_group"])
        writer.writerows([*record, group] for record, group in zip(records, groups))
