"""Everything the warehouse knows as one person: customer ids, source records, emails and phones.

Starting from an email or a customer id, the person grows through the identity graph: records
carrying the email, the customers those records resolved to (and the ids those customers merged
away), every record of those customers, and the other emails those records carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from identity.warehouse import table_exists
from registry import PersonRecord, person_records

MAX_HOPS = 3  # email -> records -> customers -> records -> more emails; bounded against shared addresses


@dataclass
class Person:
    customer_ids: set[str] = field(default_factory=set)
    records: set[tuple[str, str]] = field(default_factory=set)  # (source, source_record_id)
    emails: set[str] = field(default_factory=set)  # trimmed + lower-cased
    phones: set[str] = field(default_factory=set)  # as written in the raw tables

    def record_ids(self, source: str) -> list[str]:
        return sorted(r for s, r in self.records if s == source)

    @property
    def unique_ids(self) -> list[str]:
        return sorted(f"{s}:{r}" for s, r in self.records)


def find_person(con: duckdb.DuckDBPyConnection, email: str | None, customer_id: str | None) -> Person:
    person = Person()
    if email:
        person.emails.add(email.strip().lower())
    if customer_id:
        person.customer_ids.add(customer_id)
    for _ in range(MAX_HOPS):
        known_emails = set(person.emails)
        person.records |= _records_with_emails(con, person.emails)
        person.customer_ids |= _customers_of(con, person.records)
        person.customer_ids |= _merged_ids(con, person.customer_ids)
        person.records |= _records_of(con, person.customer_ids)
        _add_contact_points(con, person)
        if person.emails <= known_emails:
            break
    return person


def _rows(con: duckdb.DuckDBPyConnection, table: str, sql: str, params: list) -> list[tuple]:
    return con.execute(sql, params).fetchall() if table_exists(con, table) else []


def _email_match(record: PersonRecord) -> str:
    """SQL: the record's row carries one of the addresses in the list parameter(s)."""
    conditions = [f"{column} in (select unnest(?::varchar[]))" for column in record.emails]
    conditions += [
        f"len(list_intersect(list_transform(string_split(coalesce({column}, ''), ';'), lambda x: lower(trim(x))),"
        " ?::varchar[])) > 0"
        for column in record.email_lists
    ]
    return " or ".join(conditions)


def _records_with_emails(con: duckdb.DuckDBPyConnection, emails: set[str]) -> set[tuple[str, str]]:
    """Records of every registered person source (config/registry/) carrying one of `emails`."""
    found: set[tuple[str, str]] = set()
    wanted = sorted(emails)
    for record in person_records():
        if not (record.emails or record.email_lists):
            continue
        parameters = [wanted] * (len(record.emails) + len(record.email_lists))
        sql = f"""
            select distinct {record.record_id} from {record.table}
            where ({_email_match(record)}) and {record.record_id} is not null"""
        found |= {(record.source, str(record_id)) for (record_id,) in _rows(con, record.table, sql, parameters)}
    return found


def _customers_of(con: duckdb.DuckDBPyConnection, records: set[tuple[str, str]]) -> set[str]:
    keys = [f"{s}:{r}" for s, r in records]
    return {
        c
        for (c,) in _rows(
            con,
            "identity.customer_map",
            """
            select distinct customer_id from identity.customer_map
            where source || ':' || source_record_id in (select unnest(?::varchar[]))""",
            [keys],
        )
    }


def _merged_ids(con: duckdb.DuckDBPyConnection, customer_ids: set[str]) -> set[str]:
    """Ids merged into or out of these customers: the same records under an older or newer id.

    Split rows are not followed: the other side of a split is another person.
    """
    ids = set(customer_ids)
    while True:
        linked = {
            i
            for row in _rows(
                con,
                "identity.customer_id_history",
                """
                select old_id, new_id from identity.customer_id_history
                where reason = 'merge' and (old_id in (select unnest(?::varchar[]))
                                            or new_id in (select unnest(?::varchar[])))""",
                [sorted(ids), sorted(ids)],
            )
            for i in row
        }
        if linked <= ids:
            return ids
        ids |= linked


def _records_of(con: duckdb.DuckDBPyConnection, customer_ids: set[str]) -> set[tuple[str, str]]:
    return set(
        _rows(
            con,
            "identity.customer_map",
            """
            select source, source_record_id from identity.customer_map
            where customer_id in (select unnest(?::varchar[]))""",
            [sorted(customer_ids)],
        )
    )


def _add_contact_points(con: duckdb.DuckDBPyConnection, person: Person) -> None:
    """Every email and phone the person's raw records carry."""
    for record in person_records():
        ids = person.record_ids(record.source)
        columns = [*record.emails, *record.email_lists, *record.phones]
        if not ids or not columns:
            continue
        sql = f"""
            select distinct {", ".join(columns)} from {record.table}
            where {record.record_id} in (select unnest(?::varchar[]))"""
        for row in _rows(con, record.table, sql, [ids]):
            emails = row[: len(record.emails)]
            lists = row[len(record.emails) : len(record.emails) + len(record.email_lists)]
            phones = row[len(record.emails) + len(record.email_lists) :]
            person.emails |= {e for e in emails if e}
            person.emails |= {e.strip().lower() for text in lists if text for e in text.split(";") if e.strip()}
            person.phones |= {p for p in phones if p}
