"""The dbt project end to end: real `dbt build` runs on a small hand-made warehouse.

The warehouse holds the raw and identity tables in the contract shape (docs/architecture.md)
with a few customers whose golden record, sessions and segments are known in advance.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunnerResult

from c360 import dbt_runner
from c360.dbt_runner import invoke, work_dir

TABLES: dict[str, str] = {
    "raw_crm.contacts": """contact_id bigint, first_name varchar, last_name varchar, email varchar,
        email_normalized varchar, additional_emails varchar, phone varchar, company_name varchar,
        job_title varchar, street varchar, city varchar, postal_code varchar, date_of_birth date,
        lifecycle_stage varchar, owner varchar, created_at timestamptz, updated_at timestamptz,
        is_archived boolean, _source_file varchar, _source_line bigint, _file_hash varchar""",
    "raw_crm.companies": """company_id bigint, name varchar, domain varchar, industry varchar, employees bigint,
        city varchar, country varchar, created_at timestamptz, updated_at timestamptz, is_archived boolean""",
    "raw_crm.deals": """deal_id bigint, deal_name varchar, stage varchar, pipeline varchar, amount double,
        close_date date, owner varchar, contact_id bigint, company_id bigint, created_at timestamptz,
        updated_at timestamptz, is_archived boolean, order_id varchar""",
    "raw_crm.activities": """activity_id bigint, activity_type varchar, occurred_at timestamptz, contact_id bigint,
        deal_id bigint, owner varchar, subject varchar, is_archived boolean""",
    "raw_web.events": """message_id varchar, type varchar, event varchar, name varchar, anonymous_id varchar,
        user_id varchar, previous_id varchar,
        "timestamp" timestamptz, ip varchar, user_agent varchar, page_url varchar, page_path varchar,
        page_title varchar, referrer varchar, utm_source varchar, utm_medium varchar, utm_campaign varchar,
        utm_term varchar, utm_content varchar, mc_eid varchar, traits_email varchar,
        traits_email_normalized varchar, traits_first_name varchar, traits_last_name varchar,
        traits_phone varchar, properties varchar""",
    "raw_web.access_log": """ip varchar, remote_user varchar, requested_at timestamptz, method varchar, path varchar,
        query varchar, protocol varchar, status integer, bytes bigint, referrer varchar, user_agent varchar,
        utm_source varchar, utm_medium varchar, utm_campaign varchar, utm_term varchar, utm_content varchar,
        mc_eid varchar, visitor_id varchar, _source_file varchar, _source_line bigint, _file_hash varchar""",
    "raw_email.campaigns": "campaign_id varchar, campaign_name varchar, subject varchar, sent_at timestamptz",
    "raw_email.activity": """activity_id varchar, recipient_id varchar, email varchar, email_normalized varchar,
        first_name varchar, last_name varchar, campaign_id varchar, action varchar, occurred_at timestamptz,
        url varchar, bounce_type varchar""",
    "raw_email.audience": """subscriber_key varchar, tool varchar, subscriber_id varchar, email varchar,
        email_normalized varchar, first_name varchar, last_name varchar, phone varchar, address varchar,
        street varchar, city varchar, region varchar, postal_code varchar, country varchar, company varchar,
        status varchar, member_rating bigint, opted_in_at timestamptz, consent_at timestamptz,
        last_changed_at timestamptz, last_activity_at timestamptz, unsubscribed_at timestamptz,
        unsubscribe_reason varchar, cleaned_at timestamptz""",
    "identity.customer_map": "source varchar, source_record_id varchar, customer_id varchar",
}

CONTACT = (
    "contact_id, first_name, last_name, email, email_normalized, phone, company_name, lifecycle_stage, "
    "owner, created_at, updated_at, is_archived"
)
EVENT = 'message_id, type, anonymous_id, user_id, "timestamp", page_path, traits_email, traits_phone'

DAY_ONE_SQL = f"""
insert into raw_crm.contacts ({CONTACT}) values
    (101, 'Annie', 'Smith', 'ann@crm.com', 'ann@crm.com', '+4930111', 'Acme', 'lead', 'rep@corp.com',
     '2025-12-01 08:00:00+00', '2026-01-01 08:00:00+00', false),
    (101, 'Ann', 'Smith', 'ann@crm.com', 'ann@crm.com', '+4930111', 'Acme', 'lead', 'rep@corp.com',
     '2025-12-01 08:00:00+00', '2026-01-10 08:00:00+00', false),
    (103, 'Bob', 'Jones', 'bob@crm.com', 'bob@crm.com', '0049 30 333', 'acme', 'opportunity', 'rep@corp.com',
     '2025-12-05 08:00:00+02', '2026-01-05 08:00:00+00', false);
update raw_crm.contacts set street = 'Alexanderplatz 1', city = 'Berlin', postal_code = '10178',
    date_of_birth = '1990-05-01' where contact_id = 101 and updated_at = '2026-01-10 08:00:00+00';
insert into raw_crm.companies values (1, 'Acme', 'acme.com', 'Software', 50, 'Berlin', 'DE',
    '2025-01-01 00:00:00+00', '2025-06-01 00:00:00+00', false);
insert into raw_crm.deals values
    (9001, 'Bob expansion', 'contractsent', 'default', 1000, '2026-03-20', 'rep@corp.com', 103, 1,
     '2026-01-05 00:00:00+00', '2026-01-06 00:00:00+00', false, null),
    (9002, 'Bob first order', 'closedwon', 'default', 5000, '2026-01-20', 'rep@corp.com', 103, 1,
     '2026-01-05 00:00:00+00', '2026-01-20 00:00:00+00', false, 'ord-9002'),
    (9003, 'Deleted deal', 'qualifiedtobuy', 'default', 700, '2026-03-20', 'rep@corp.com', 103, 1,
     '2026-01-05 00:00:00+00', '2026-01-07 00:00:00+00', true, null);
insert into raw_crm.activities values (7001, 'CALL', '2026-02-15 10:00:00+00', 103, 9001, 'rep@corp.com', 'Call', false);
insert into raw_email.campaigns values ('cmp1', 'January news', 'News', '2026-01-31 09:00:00+00');
insert into raw_email.activity (activity_id, recipient_id, email, email_normalized, first_name, last_name,
                                campaign_id, action, occurred_at) values
    ('x1', 'r1', 'ann@mail.com', 'ann@mail.com', 'Annie', 'S', 'cmp1', 'sent', '2026-01-31 09:00:00+00'),
    ('x2', 'r1', 'ann@mail.com', 'ann@mail.com', 'Annie', 'S', 'cmp1', 'open', '2026-02-01 10:00:00+00'),
    ('x3', 'r3', 'bob@crm.com', 'bob@crm.com', 'Bob', 'Jones', 'cmp1', 'sent', '2026-01-31 09:00:00+00');
insert into raw_web.events ({EVENT}) values
    ('m1', 'identify', 'a1', 'u1', '2026-01-20 10:00:00+00', null, 'ann@web.com', '+1999'),
    ('m2', 'page', 'a1', 'u1', '2026-01-20 10:05:00+00', '/', null, null),
    ('m3', 'page', 'a1', 'u1', '2026-01-20 10:50:00+00', '/docs', null, null),
    ('m4', 'page', 'a2', null, '2026-02-25 09:00:00+00', '/pricing', null, null),
    ('m5', 'page', 'a2', null, '2026-03-01 11:50:00+00', '/', null, null),
    ('m6', 'page', 'a2', null, '2026-03-01 12:00:00+00', '/blog', null, null);
insert into raw_web.access_log (ip, requested_at, method, path, query, status, bytes, utm_source, visitor_id,
                               _source_file, _source_line, _file_hash) values
    ('203.0.113.9', '2026-01-20 11:00:00+01', 'get', '/pricing', 'utm_source=news', 200, 5120, 'news', 'a1',
     'access.log', 1, 'f1');
-- cust-5 only ever buys on the web: Order Completed events in Segment's e-commerce spec v2
-- (https://segment.com/docs/connections/spec/ecommerce/v2/#order-completed), one of them sent twice;
-- Bob's won deal 9002 carries the shop's order id that his web order event also reports.
insert into raw_web.events (message_id, type, event, anonymous_id, "timestamp", page_path, properties) values
    ('m20', 'page', null, 'a7', '2026-02-27 10:00:00+00', '/pricing', '{{"path": "/pricing"}}'),
    ('m21', 'track', 'Order Completed', 'a7', '2026-02-27 10:05:00+00', '/checkout',
     '{{"order_id": "ord-71", "revenue": 120.50, "total": 130.50, "currency": "USD"}}'),
    ('m22', 'track', 'Order Completed', 'a7', '2026-02-27 10:06:00+00', '/checkout',
     '{{"order_id": "ord-71", "revenue": 120.50, "total": 130.50, "currency": "USD"}}'),
    ('m23', 'track', 'Order Completed', 'a7', '2026-02-27 10:07:00+00', '/checkout',
     '{{"order_id": "ord-72", "total": 79.50, "currency": "USD"}}'),
    ('m24', 'track', 'Order Completed', 'a3', '2026-01-20 09:00:00+00', '/checkout',
     '{{"order_id": "ord-9002", "revenue": 5000, "currency": "USD"}}');
insert into identity.customer_map values
    ('crm_contact', '101', 'cust-1'), ('email_recipient', 'r1', 'cust-1'),
    ('web_anonymous_id', 'a1', 'cust-1'), ('web_user_id', 'u1', 'cust-1'),
    ('web_anonymous_id', 'a2', 'cust-2'),
    ('crm_contact', '103', 'cust-3'), ('email_recipient', 'r3', 'cust-3'), ('web_anonymous_id', 'a3', 'cust-3'),
    ('web_anonymous_id', 'a7', 'cust-5');
"""

# The next day's load: a2 continues its last session across the load boundary, then returns days
# later (its pricing visit ages out of the 14-day window); a new device a4 looks at pricing;
# Bob opens the January newsletter late, which must update that message rather than add one; user
# u1 signs in on a new device a5, so u1's record is recomputed from sessions on both devices.
DAY_TWO_SQL = f"""
insert into raw_email.activity (activity_id, recipient_id, email, campaign_id, action, occurred_at) values
    ('x4', 'r3', 'bob@crm.com', 'cmp1', 'open', '2026-03-05 08:00:00+00');
insert into raw_web.events ({EVENT}) values
    ('m7', 'page', 'a2', null, '2026-03-01 12:20:00+00', '/docs', null, null),
    ('m8', 'page', 'a2', null, '2026-03-12 11:00:00+00', '/', null, null),
    ('m9', 'page', 'a4', null, '2026-03-12 10:00:00+00', '/pricing', null, null),
    ('m10', 'page', 'a5', 'u1', '2026-03-10 09:00:00+00', '/', null, null);
insert into identity.customer_map values ('web_anonymous_id', 'a4', 'cust-4'), ('web_anonymous_id', 'a5', 'cust-1');
"""

MARTS = [
    "dim_customers",
    "customer_traits",
    "segment_membership",
    "fct_deal_pipeline",
    "dim_accounts",
    "fct_orders",
    "customer_identifiers",
]


def run_dbt(warehouse: Path, *args: str) -> dbtRunnerResult:
    return invoke(warehouse, args)


def build(warehouse: Path, *args: str) -> None:
    result = run_dbt(warehouse, "build", *args)
    failures = [
        f"{r.node.unique_id}: {r.message}" for r in (result.result or []) if r.status not in ("success", "pass")
    ]
    assert result.success, f"dbt build failed: {result.exception or failures}"


def execute(warehouse: Path, sql: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql)


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql).fetchall()


def load_day_one(warehouse: Path, *more_sql: str) -> Path:
    """The raw and identity tables (TABLES) in a new warehouse, holding day one and then `more_sql`."""
    ddl = "".join(
        f"create schema if not exists {t.split('.')[0]}; create table {t} ({cols});" for t, cols in TABLES.items()
    )
    execute(warehouse, "".join([ddl, DAY_ONE_SQL, *more_sql]))
    return warehouse


def snapshot(warehouse: Path, tables: Iterable[str]) -> dict[str, list[tuple]]:
    return {t: rows(warehouse, f"select * from {t} order by all") for t in tables}


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Day one loaded and built once; tests copy the file so they cannot disturb each other."""
    work = tmp_path_factory.mktemp("dbt")
    warehouse = load_day_one(work / "c360.duckdb")
    build(warehouse)
    return warehouse


@pytest.fixture
def warehouse(built_warehouse: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "c360.duckdb"
    execute(built_warehouse, "checkpoint")  # dbt keeps the database open in-process: flush the WAL first
    shutil.copy(built_warehouse, copy)
    return copy


def test_marts_land_in_exact_schema_names(built_warehouse: Path) -> None:
    schemas = {r[0] for r in rows(built_warehouse, "select distinct table_schema from information_schema.tables")}
    assert {"staging", "intermediate", "marts"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


def test_dim_customers_has_one_golden_record_per_mapped_customer(built_warehouse: Path) -> None:
    ids = rows(built_warehouse, "select customer_id from marts.dim_customers order by 1")
    assert ids == [("cust-1",), ("cust-2",), ("cust-3",), ("cust-5",)]
    ann = rows(
        built_warehouse,
        """
        select first_name, last_name, email, email_source, phone, phone_source, company_name, first_seen,
               last_seen, crm_contact_records, web_anonymous_id_records, web_user_id_records,
               email_recipient_records, is_identified
        from marts.dim_customers where customer_id = 'cust-1'""",
    )[0]
    # latest CRM version wins the name; the most recently engaged address wins the email
    assert ann[:7] == ("Ann", "Smith", "ann@mail.com", "email_recipient:r1", "+4930111", "crm_contact:101", "Acme")
    assert str(ann[7]) == "2025-12-01 08:00:00" and str(ann[8]) == "2026-02-01 10:00:00"
    assert ann[9:] == (1, 1, 1, 1, True)
    anonymous = rows(
        built_warehouse, "select first_name, email, is_identified from marts.dim_customers where customer_id = 'cust-2'"
    )
    assert anonymous == [(None, None, False)]
    # timestamps with an offset are converted to naive UTC
    bob = rows(built_warehouse, "select first_seen::varchar from marts.dim_customers where customer_id = 'cust-3'")
    assert bob == [("2025-12-05 06:00:00",)]


def test_sessions_split_on_inactivity(built_warehouse: Path) -> None:
    # (a redelivered event is one raw row: the loader merges on message_id, see test_ingestion_web_email)
    sessions = rows(
        built_warehouse,
        """
        select anonymous_id, session_start::varchar, events, page_views, landing_page
        from intermediate.int_web_sessions where anonymous_id in ('a1', 'a2') order by anonymous_id, session_start""",
    )
    assert sessions == [
        ("a1", "2026-01-20 10:00:00", 2, 1, "/"),
        ("a1", "2026-01-20 10:50:00", 1, 1, "/docs"),  # 45 minutes later: a new session
        ("a2", "2026-02-25 09:00:00", 1, 1, "/pricing"),
        ("a2", "2026-03-01 11:50:00", 2, 2, "/"),
    ]


def test_a_raw_event_table_holding_a_message_id_twice_fails_its_source_test(warehouse: Path) -> None:
    # staging drops no redeliveries (the loader does, by merging on message_id): a raw table written
    # some other way that repeats one is reported on the next build, not counted twice in silence
    execute(warehouse, "insert into raw_web.events select * from raw_web.events where message_id = 'm2'")
    result = run_dbt(warehouse, "test", "--select", "source:raw_web.events")
    failed = sorted(r.node.name for r in result.result if r.status == "fail")
    assert failed == ["source_unique_raw_web_events_message_id"]


def test_access_log_requests_are_staged_with_their_visitor(built_warehouse: Path) -> None:
    assert rows(
        built_warehouse,
        """select requested_at::varchar, http_method, page_path, status_code, utm_source,
                                           anonymous_id, request_id = md5('f1:1') from staging.stg_web__access_log""",
    ) == [("2026-01-20 10:00:00", "GET", "/pricing", 200, "news", "a1", True)]


def test_customer_traits_are_measured_against_the_latest_event(built_warehouse: Path) -> None:
    traits = {
        r[0]: r[1:]
        for r in rows(
            built_warehouse,
            """
        select customer_id, as_of::varchar, sessions, days_since_pricing_view, is_customer, deals_open, deals_won,
               revenue, email_sends, email_opens, email_open_rate, email_consent, crm_owner
        from marts.customer_traits""",
        )
    }
    assert traits["cust-1"] == ("2026-03-01 12:00:00", 2, None, False, 0, 0, 0, 1, 1, 1.0, True, "rep@corp.com")
    assert traits["cust-2"][:4] == ("2026-03-01 12:00:00", 2, 4, False)
    assert traits["cust-3"][3:8] == (True, 1, 1, 5000, 1)


def test_segment_membership_holds_the_example_segments(built_warehouse: Path) -> None:
    members = rows(
        built_warehouse, "select customer_id, segment, since::varchar from marts.segment_membership order by all"
    )
    assert members == [
        ("cust-2", "pricing_visitors_not_customers", "2026-03-01 12:00:00"),
        ("cust-3", "open_deal_contacts", "2026-03-01 12:00:00"),
    ]


def test_crm_marts_roll_up_deals_and_contacts(built_warehouse: Path) -> None:
    account = rows(
        built_warehouse,
        "select contacts, customers, open_deals, open_pipeline_amount, won_revenue from marts.dim_accounts",
    )
    assert account == [(2, 2, 1, 1000, 5000)]
    pipeline = rows(built_warehouse, "select deal_stage, deals, total_amount from marts.fct_deal_pipeline order by 1")
    assert pipeline == [("closedwon", 1, 5000), ("contractsent", 1, 1000)]


def test_a_web_only_buyer_is_a_customer_outside_not_bought_yet_segments(built_warehouse: Path) -> None:
    """cust-5 viewed pricing and placed two web orders (one event sent twice): a customer with
    revenue equal to their orders' sum, and not in pricing_visitors_not_customers."""
    orders = rows(
        built_warehouse,
        """select order_key, source, duplicate_records, revenue, currency
                                      from marts.fct_orders where customer_id = 'cust-5' order by 1""",
    )
    assert orders == [
        ("order:ord-71", "web_event", 1, Decimal("120.50"), "USD"),
        ("order:ord-72", "web_event", 0, Decimal("79.50"), "USD"),
    ]
    traits = rows(
        built_warehouse,
        """
        select is_customer, orders, web_orders, revenue, avg_order_value, first_purchase_at::varchar,
               lifetime_value, days_since_pricing_view, lifecycle_stage
        from marts.customer_traits where customer_id = 'cust-5'""",
    )
    assert traits == [
        (True, 2, 2, Decimal("200.00"), Decimal("100.00"), "2026-02-27 10:05:00", Decimal("200.00"), 2, "new")
    ]
    assert rows(built_warehouse, "select segment from marts.segment_membership where customer_id = 'cust-5'") == []


def test_a_deal_and_a_web_event_with_one_order_id_count_once(built_warehouse: Path) -> None:
    assert rows(
        built_warehouse,
        """select order_key, source, source_record_id, sources, duplicate_records, revenue
                                    from marts.fct_orders where customer_id = 'cust-3'""",
    ) == [("order:ord-9002", "crm_deal", "9002", "crm_deal,web_event", 1, Decimal("5000.00"))]
    assert rows(built_warehouse, "select orders, revenue from marts.customer_traits where customer_id = 'cust-3'") == [
        (1, Decimal("5000.00"))
    ]


def test_golden_record_has_address_birth_date_and_e164_phone_with_sources(built_warehouse: Path) -> None:
    ann = rows(
        built_warehouse,
        """
        select street, city, postcode, region, country, date_of_birth::varchar, address_source,
               date_of_birth_source, phone, phone_source
        from marts.dim_customers where customer_id = 'cust-1'""",
    )
    assert ann == [
        (
            "Alexanderplatz 1",
            "Berlin",
            "10178",
            None,
            None,
            "1990-05-01",
            "crm_contact:101",
            "crm_contact:101",
            "+4930111",
            "crm_contact:101",
        )
    ]
    # typed with the international call prefix 00: still one E.164 number
    assert rows(built_warehouse, "select phone from marts.dim_customers where customer_id = 'cust-3'") == [
        ("+4930333",)
    ]
    # u1's identify phone +1999 is no possible number: counted by the warn test, never a golden phone
    assert rows(
        built_warehouse, "select phone_e164 from intermediate.int_phone_numbers where phone_as_entered = '+1999'"
    ) == [(None,)]


def test_customer_identifiers_list_every_email_phone_and_record_id(built_warehouse: Path) -> None:
    identifiers = rows(
        built_warehouse,
        """select identifier_type, identifier_value, source, source_record_id
                                           from marts.customer_identifiers where customer_id = 'cust-1' order by all""",
    )
    assert identifiers == [
        ("crm_contact_id", "101", "crm_contact", "101"),
        ("email", "ann@crm.com", "crm_contact", "101"),
        ("email", "ann@mail.com", "email_recipient", "r1"),
        ("email", "ann@web.com", "web_user_id", "u1"),
        ("email_recipient_id", "r1", "email_recipient", "r1"),
        ("phone", "+4930111", "crm_contact", "101"),
        ("web_anonymous_id", "a1", "web_anonymous_id", "a1"),
        ("web_user_id", "u1", "web_user_id", "u1"),
    ]


def test_customers_carry_their_account_and_access_log_visits(built_warehouse: Path) -> None:
    accounts = rows(
        built_warehouse, "select customer_id, account_id, account_source from marts.dim_customers order by 1"
    )
    assert accounts == [
        ("cust-1", "1", "crm_contact_company"),
        ("cust-2", None, None),
        ("cust-3", "1", "crm_deal"),
        ("cust-5", None, None),
    ]
    # the access log's visitor cookie a1 is Ann's device
    assert rows(
        built_warehouse,
        """select access_log_requests, access_log_visit_days, last_access_log_request_at::varchar
                                    from marts.customer_traits where customer_id = 'cust-1'""",
    ) == [(1, 1, "2026-01-20 10:00:00")]
    assert rows(
        built_warehouse,
        """select customers, sessions, access_log_requests, orders, order_revenue
                                    from marts.dim_accounts""",
    ) == [(2, 3, 1, 1, Decimal("5000.00"))]


def test_rebuilding_the_same_input_gives_identical_tables(warehouse: Path) -> None:
    tables = [f"marts.{m}" for m in MARTS] + ["marts.segment_history", "intermediate.int_web_sessions"]
    before = snapshot(warehouse, tables)
    build(warehouse)
    assert snapshot(warehouse, tables) == before


def test_incremental_build_equals_full_refresh_and_records_segment_changes(warehouse: Path) -> None:
    execute(warehouse, DAY_TWO_SQL)
    build(warehouse)
    a2 = rows(
        warehouse,
        """select session_start::varchar, session_end::varchar, events
                            from intermediate.int_web_sessions where anonymous_id = 'a2' order by 1""",
    )
    # the 12:20 event extends the session stored by the previous run instead of opening a new one
    assert a2 == [
        ("2026-02-25 09:00:00", "2026-02-25 09:00:00", 1),
        ("2026-03-01 11:50:00", "2026-03-01 12:20:00", 3),
        ("2026-03-12 11:00:00", "2026-03-12 11:00:00", 1),
    ]
    history = rows(
        warehouse, "select customer_id, segment, change, changed_at::varchar from marts.segment_history order by all"
    )
    assert history == [
        ("cust-2", "pricing_visitors_not_customers", "entered", "2026-03-01 12:00:00"),
        ("cust-2", "pricing_visitors_not_customers", "left", "2026-03-12 11:00:00"),
        ("cust-3", "open_deal_contacts", "entered", "2026-03-01 12:00:00"),
        ("cust-4", "pricing_visitors_not_customers", "entered", "2026-03-12 11:00:00"),
    ]
    since = rows(warehouse, "select customer_id, since::varchar from marts.segment_membership order by 1")
    assert since == [("cust-3", "2026-03-01 12:00:00"), ("cust-4", "2026-03-12 11:00:00")]

    assert rows(
        warehouse, "select email_opens, email_open_rate from marts.customer_traits where customer_id = 'cust-3'"
    ) == [(1, 1.0)]

    tables = [f"marts.{m}" for m in MARTS if m != "segment_membership"]
    tables += ["intermediate.int_web_sessions", "intermediate.int_email_messages", "intermediate.int_source_records"]
    incremental = snapshot(warehouse, tables)
    members = rows(warehouse, "select customer_id, segment from marts.segment_membership order by all")
    build(warehouse, "--full-refresh")
    assert snapshot(warehouse, tables) == incremental
    assert rows(warehouse, "select customer_id, segment from marts.segment_membership order by all") == members


# Tables that keep history across builds by design, so a full refresh restarts them: segment
# history and membership `since`, daily segment sizes, and the change list of the build itself.
HISTORY_TABLES = {
    "marts.segment_history",
    "marts.segment_membership",
    "marts.fct_segment_sizes_daily",
    "intermediate.int_changed_customers",
}


def test_an_incremental_day_with_moved_records_leaves_every_table_as_a_full_refresh_would(
    warehouse: Path, tmp_path: Path
) -> None:
    """Day two's activity plus identity re-resolution: device a2 moves from cust-2 to cust-3 (cust-2
    keeps nothing and disappears) and web buyer cust-5's device a7 joins cust-1. The incremental
    build rebuilds only the changed customers, yet every table equals a full refresh of the same
    data (EXCEPT ALL both ways), removed customers included."""
    execute(
        warehouse,
        DAY_TWO_SQL
        + """
        update identity.customer_map set customer_id = 'cust-3' where source_record_id = 'a2';
        update identity.customer_map set customer_id = 'cust-1' where source_record_id = 'a7';""",
    )
    build(warehouse)
    assert rows(warehouse, "select customer_id from intermediate.int_changed_customers order by 1") == [
        ("cust-1",),
        ("cust-2",),
        ("cust-3",),
        ("cust-4",),
        ("cust-5",),
    ]
    assert rows(warehouse, "select distinct customer_id from intermediate.int_customer_events order by 1") == [
        ("cust-1",),
        ("cust-3",),
        ("cust-4",),
    ]
    full = tmp_path / "full.duckdb"
    execute(warehouse, "checkpoint")
    shutil.copy(warehouse, full)
    build(full, "--full-refresh")
    tables = [
        f"{schema}.{table}"
        for schema, table in rows(
            warehouse,
            "select schema_name, table_name from duckdb_tables() where schema_name in ('intermediate', 'marts')",
        )
        if f"{schema}.{table}" not in HISTORY_TABLES
    ]
    assert "intermediate.int_customer_timeline" in tables and "marts.fct_attribution" in tables
    # every row sorted: equal lists are equal multisets (what EXCEPT ALL both ways checks)
    incremental, full_refresh = snapshot(warehouse, tables), snapshot(full, tables)
    assert [table for table in tables if incremental[table] != full_refresh[table]] == []


def test_a_user_on_a_new_device_leaves_their_other_devices_intact(warehouse: Path) -> None:
    """An incremental run re-aggregates the records with new activity (user u1, new device a5) from
    all their sessions, and leaves u1's other devices alone: device a6's own identify stays."""
    execute(
        warehouse,
        f"""
        insert into raw_web.events ({EVENT}) values
            ('m11', 'identify', 'a6', null, '2026-01-05 09:00:00+00', null, 'ann@tablet.com', null),
            ('m12', 'page', 'a6', 'u1', '2026-01-25 09:00:00+00', '/', null, null);
        insert into identity.customer_map values ('web_anonymous_id', 'a6', 'cust-1');""",
    )
    build(warehouse, "--full-refresh")  # a6's events are older than the watermark
    execute(warehouse, DAY_TWO_SQL)
    build(warehouse)
    records = """select source_record_id, email, first_seen::varchar, last_seen::varchar
                 from intermediate.int_source_records where source_record_id in ('a6', 'u1') order by 1"""
    assert rows(warehouse, records) == [
        ("a6", "ann@tablet.com", "2026-01-05 09:00:00", "2026-01-25 09:00:00"),
        ("u1", "ann@web.com", "2026-01-20 10:00:00", "2026-03-10 09:00:00"),
    ]
    incremental = snapshot(warehouse, ["intermediate.int_source_records", "marts.dim_customers"])
    build(warehouse, "--full-refresh")
    assert snapshot(warehouse, ["intermediate.int_source_records", "marts.dim_customers"]) == incremental


def test_segment_swing_beyond_the_configured_percentage_warns(warehouse: Path) -> None:
    """Day two swaps pricing_visitors_not_customers' only member for another: a 200% swing."""
    execute(warehouse, DAY_TWO_SQL)
    build(warehouse)
    result = run_dbt(warehouse, "test", "--select", "test_name:segment_size_swing")
    outcomes = [(str(r.status), r.failures) for r in result.result]
    assert outcomes == [("warn", 1)]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("{trait: revenu, op: '>', value: 1}", "condition 1: field 'trait' names unknown trait 'revenu'"),
        ("{trait: revenue, op: '=>', value: 1}", "condition 1: field 'op' is '=>'"),
        ("{trait: segment_tags, op: in, value: x}", "unknown trait 'segment_tags'"),
        ("{trait: revenue, op: in, value: 1}", "field 'value' must be a non-empty list for op in"),
        ("{event: Product Viewed, at_lest: 3}", "condition 1: unknown field 'at_lest'"),
        (
            "{all: [{trait: revenue, op: '>', value: 1}, {event: Product Viewed, within_days: -1}]}",
            "condition 1.all.2: field 'within_days' must be a positive whole number",
        ),
        ("{not: {email: read, campaign: x}}", "condition 1.not: field 'email' is 'read'"),
        (
            "{event: Product Viewed, where: [{property: price, op: '>', value: cheap}]}",
            "condition 1: where 1: field 'value' must be a number for op >",
        ),
    ],
)
def test_invalid_segment_definition_fails_naming_segment_and_field(
    warehouse: Path, condition: str, expected: str
) -> None:
    bad = f"{{segment_definitions: [{{name: vip_typo, description: d, conditions: [{condition}]}}]}}"
    result = run_dbt(
        warehouse, "build", "--select", "int_segment_members", "--exclude", "test_type:unit", "--vars", bad
    )
    assert not result.success
    message = " ".join(str(r.message) for r in result.result)
    assert "Invalid segment definition 'vip_typo'" in message and expected in message


def test_a_later_process_builds_from_the_stored_parse_like_from_dbt_s_own(warehouse: Path, monkeypatch) -> None:
    """A new process (here: an empty in-process cache) loads an unchanged project's manifest from the
    parse stored beside manifest.json instead of parsing; it must be that parse, refs and all."""
    monkeypatch.setattr(dbt_runner, "_parsed", {})
    parsed = dbt_runner.parsed_project(warehouse)
    monkeypatch.setattr(dbt_runner, "_parsed", {})
    reloaded = dbt_runner.parsed_project(warehouse)
    assert reloaded.manifest is not parsed.manifest
    assert reloaded.manifest.writable_manifest().to_dict() == parsed.manifest.writable_manifest().to_dict()
    build(warehouse, "--select", "stg_crm__contacts+", "--exclude", "resource_type:unit_test")


def test_docs_generate_succeeds(warehouse: Path) -> None:
    result = run_dbt(warehouse, "docs", "generate")
    assert result.success
    assert (work_dir(warehouse) / "target" / "catalog.json").exists()


# The same models on the bundled sample, run end to end through Dagster (conftest's sample_run).


def sample_rows(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_on_the_sample_every_web_buyer_is_a_customer_with_their_orders_revenue(sample_run) -> None:
    """223 people placed $1,050,690 of web orders in the sample; before web orders counted, 189 of
    them were not customers, 217 had revenue 0 and 52 sat in pricing_visitors_not_customers."""
    web_buyers = """(select customer_id, sum(revenue) as web_revenue from marts.fct_orders
                     where source = 'web_event' and customer_id is not null group by 1)"""
    assert sample_rows(sample_run, f"select count(*), sum(web_revenue) from {web_buyers}") == [
        (223, Decimal("1050690.00"))
    ]
    assert sample_rows(
        sample_run,
        f"""
        select count(*) filter (where not traits.is_customer), count(*) filter (where traits.revenue < buyers.web_revenue),
               count(*) filter (where members.customer_id is not null)
        from {web_buyers} as buyers
        join marts.customer_traits as traits using (customer_id)
        left join marts.segment_membership as members
            on members.customer_id = buyers.customer_id and members.segment = 'pricing_visitors_not_customers'""",
    ) == [(0, 0, 0)]
    # everyone's revenue is exactly the sum of their orders, whatever the source
    assert sample_rows(
        sample_run,
        """
        select count(*) from marts.customer_traits as traits
        left join (select customer_id, sum(revenue) as total from marts.fct_orders group by 1) as orders using (customer_id)
        where traits.revenue <> coalesce(orders.total, 0)""",
    ) == [(0,)]


def test_on_the_sample_golden_phones_are_e164_and_addresses_come_with_their_record(sample_run) -> None:
    phones, e164, addresses, sourced = sample_rows(
        sample_run,
        r"""
        select count(phone), count(*) filter (where regexp_full_match(phone, '\+[1-9][0-9]{6,14}')),
               count(*) filter (where street is not null or city is not null or postcode is not null),
               count(*) filter (where address_source like 'crm_contact:%')
        from marts.dim_customers""",
    )[0]
    assert phones == e164 and phones > 1500
    assert addresses == sourced and addresses > 1500
    # every golden email is among the customer's identifiers
    assert sample_rows(
        sample_run,
        """
        select count(*) from marts.dim_customers as customers
        where customers.email is not null and not exists (
            select 1 from marts.customer_identifiers as identifiers
            where identifiers.customer_id = customers.customer_id and identifiers.identifier_type = 'email'
              and identifiers.identifier_value = lower(customers.email))""",
    ) == [(0,)]


def test_on_the_sample_account_segments_hold_people_at_accounts_over_50k(sample_run) -> None:
    members, wrong = sample_rows(
        sample_run,
        """
        select count(*), count(*) filter (where accounts.open_pipeline_amount <= 50000 or not traits.email_consent)
        from marts.segment_membership as members
        join marts.customer_traits as traits using (customer_id)
        join marts.dim_accounts as accounts on accounts.company_id = traits.account_id
        where members.segment = 'contacts_at_accounts_open_pipeline_50k'""",
    )[0]
    assert members > 0 and wrong == 0
    accounts, wrong = sample_rows(
        sample_run,
        """
        select count(*), count(*) filter (where accounts.open_pipeline_amount <= 50000 or accounts.engaged_customers_30d = 0)
        from marts.account_segment_membership as members
        join marts.dim_accounts as accounts on accounts.company_id = members.account_id
        where members.segment = 'accounts_open_pipeline_50k'""",
    )[0]
    assert accounts > 0 and wrong == 0


def test_invalid_funnel_definition_fails_naming_funnel_step_and_field(warehouse: Path) -> None:
    bad = (
        "{funnels: [{name: shop, window_days: 7, steps: [{name: viewed, event: Product Viewed},"
        " {name: added, event: Product Added, where: [{property: price, op: '~', value: 1}]}]}]}"
    )
    result = run_dbt(
        warehouse, "build", "--select", "int_funnel_progress", "--exclude", "test_type:unit", "--vars", bad
    )
    assert not result.success
    message = str(result.exception)  # funnels compile while dbt parses the project
    assert (
        "Invalid funnel definition 'shop' (dbt_project.yml, vars.funnels): step 2: where 1: field 'op' is '~'"
        in message
    )


def test_split_groups_are_stable_across_rebuilds_and_cover_the_segment_once(warehouse: Path) -> None:
    everyone = (
        "{segment_definitions: [{name: everyone, description: d, conditions: [{trait: customer_id, op: not_null}],"
        " splits: {salt: s1, groups: [{name: treatment, percent: 50}, {name: holdout, percent: 50, holdout: true}]}}]}"
    )
    select = ["--select", "int_segment_members+", "--exclude", "test_type:unit", "--vars", everyone]
    build(warehouse, *select)
    first = rows(warehouse, "select customer_id, split_group from marts.segment_split_groups order by all")
    build(warehouse, *select, "--full-refresh")
    assert rows(warehouse, "select customer_id, split_group from marts.segment_split_groups order by all") == first
    members = rows(warehouse, "select customer_id from marts.segment_membership where segment = 'everyone' order by 1")
    assert sorted((cid,) for cid, _ in first) == members and len(members) == len(
        rows(warehouse, "select * from marts.dim_customers")
    )
