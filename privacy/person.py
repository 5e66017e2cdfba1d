"""Everything the warehouse knows as one person: customer ids, source records, emails and phones.

Starting from an email or a customer id, the person grows through the identity graph: records
carrying the email, the customers those records resolved to (and the ids those customers merged
away), every record of those customers, and the other emails those records carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from privacy.tables import table_exists

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
    schema, name = table.split(".")
    return con.execute(sql, params).fetchall() if table_exists(con, schema, name) else []


def _records_with_emails(con: duckdb.DuckDBPyConnection, emails: set[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    wanted = sorted(emails)
    for (contact_id,) in _rows(
        con,
        "raw_crm.contacts",
        """
            select contact_id from raw_crm.contacts
            where email_normalized in (select unnest(?::varchar[]))
               or len(list_intersect(list_transform(string_split(coalesce(additional_emails, ''), ';'),
                                                    lambda x: lower(trim(x))), ?::varchar[])) > 0""",
        [wanted, wanted],
    ):
        found.add(("crm_contact", contact_id))
    for anonymous_id, user_id in _rows(
        con,
        "raw_web.events",
        """
            select distinct anonymous_id, user_id from raw_web.events
            where traits_email_normalized in (select unnest(?::varchar[]))""",
        [wanted],
    ):
        if anonymous_id:
            found.add(("web_anonymous_id", anonymous_id))
        if user_id:
            found.add(("web_user_id", user_id))
    for (recipient_id,) in _rows(
        con,
        "raw_email.activity",
        """
            select distinct recipient_id from raw_email.activity
            where email_normalized in (select unnest(?::varchar[])) and recipient_id is not null""",
        [wanted],
    ):
        found.add(("email_recipient", recipient_id))
    for (subscriber_key,) in _rows(
        con,
        "raw_email.audience",
        """
            select subscriber_key from raw_email.audience
            where email_normalized in (select unnest(?::varchar[]))""",
        [wanted],
    ):
        found.add(("email_subscriber", subscriber_key))
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
    contacts = person.record_ids("crm_contact")
    for email, extra, phone in _rows(
        con,
        "raw_crm.contacts",
        """
            select email_normalized, additional_emails, phone from raw_crm.contacts
            where contact_id in (select unnest(?::varchar[]))""",
        [contacts],
    ):
        person.emails |= {e.strip().lower() for e in [email, *(extra or "").split(";")] if e and e.strip()}
        if phone:
            person.phones.add(phone)
    for email, phone in _rows(
        con,
        "raw_web.events",
        """
            select traits_email_normalized, traits_phone from raw_web.events
            where (anonymous_id in (select unnest(?::varchar[])) or user_id in (select unnest(?::varchar[])))
              and (traits_email_normalized is not null or traits_phone is not null)""",
        [person.record_ids("web_anonymous_id"), person.record_ids("web_user_id")],
    ):
        if email:
            person.emails.add(email)
        if phone:
            person.phones.add(phone)
    for (email,) in _rows(
        con,
        "raw_email.activity",
        """
            select distinct email_normalized from raw_email.activity
            where recipient_id in (select unnest(?::varchar[])) and email_normalized is not null""",
        [person.record_ids("email_recipient")],
    ):
        person.emails.add(email)
    for email, phone in _rows(
        con,
        "raw_email.audience",
        """
            select email_normalized, phone from raw_email.audience
            where subscriber_key in (select unnest(?::varchar[]))""",
        [person.record_ids("email_subscriber")],
    ):
        person.emails.add(email)
        if phone:
            person.phones.add(phone)
