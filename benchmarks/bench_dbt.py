"""Benchmark of the dbt project against plain DuckDB: full build, then a build after one more day of events.

The warehouse is synthesised directly in DuckDB in the raw/identity contract shape
(docs/architecture.md) so the benchmark measures dbt alone, not ingestion or identity.
Target: the incremental build takes at most 10% of the full build's wall time. Both builds
exclude dbt unit tests, which (as dbt recommends) belong in CI, not in the daily production run;
every data test runs.

Baselines, in the same run on the same warehouse file (schema bench_plain), each step in its own process
so peak memory is per step:
- full build: plain sessionisation with int_web_sessions' full output plus a plain customer-level web
  aggregate (two tables where c360 builds the whole project and runs its tests);
- int_web_sessions alone: its compiled full-refresh SQL (staging view included) against the same-output
  plain query and against the 8-column sessionisation core this benchmark used before, interleaved
  (c360, plain, narrow plain; `--rounds` times), and checked identical (EXCEPT ALL both ways);
- incremental day: a plain incremental query that re-sessionises only the devices with new events, from
  their latest (possibly still open) session, against the dbt incremental build and its int_web_sessions
  node; each round starts from a copy of the same warehouse, and the sessions are checked identical.

    ./dev python benchmarks/bench_dbt.py --customers 100000 --events 10000000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

from benchmarks.measured_child import run_measured

log = logging.getLogger(__name__)

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
START = "2026-01-01 00:00:00"
EVENTS_PER_SESSION = 5

SCHEMA_DDL = """
create schema if not exists raw_crm;
create schema if not exists raw_web;
create schema if not exists raw_email;
create schema if not exists identity;
create or replace table raw_web.access_log (ip varchar, remote_user varchar, requested_at timestamptz, method varchar,
    path varchar, query varchar, protocol varchar, status integer, bytes bigint, referrer varchar, user_agent varchar,
    utm_source varchar, utm_medium varchar, utm_campaign varchar, utm_term varchar, utm_content varchar,
    mc_eid varchar, visitor_id varchar, _source_file varchar, _source_line bigint, _file_hash varchar);
create or replace table raw_email.audience (subscriber_key varchar, tool varchar, subscriber_id varchar,
    email varchar, email_normalized varchar, first_name varchar, last_name varchar, phone varchar, address varchar,
    street varchar, city varchar, region varchar, postal_code varchar, country varchar, company varchar,
    status varchar, member_rating bigint, opted_in_at timestamptz, consent_at timestamptz,
    last_changed_at timestamptz, last_activity_at timestamptz, unsubscribed_at timestamptz,
    unsubscribe_reason varchar, cleaned_at timestamptz);
"""

CRM_SQL = """
create or replace table raw_crm.companies as
select c as company_id, 'Company ' || c as name, 'company' || c || '.com' as domain,
       ['Software', 'Retail', 'Finance'][1 + c % 3] as industry, 10 + c % 500 as employees,
       'City ' || c % 40 as city, 'DE' as country,
       timestamptz '{start}' - interval 400 day as created_at, timestamptz '{start}' - interval 300 day as updated_at,
       false as is_archived
from range(1, {companies} + 1) t(c);

create or replace table raw_crm.contacts as
select 1000000 + i as contact_id, 'First' || i as first_name, 'Last' || i as last_name,
       'user' || i || '@example.com' as email, 'user' || i || '@example.com' as email_normalized,
       null::varchar as additional_emails, '+4930' || lpad(i::varchar, 7, '0') as phone,
       'Company ' || (1 + i % {companies}) as company_name, 'Engineer' as job_title,
       'Street ' || i as street, 'City ' || i % 40 as city, '10115' as postal_code,
       date '1980-01-01' + (i % 9000)::int as date_of_birth,
       ['lead', 'marketingqualifiedlead', 'opportunity', 'customer'][1 + i % 4] as lifecycle_stage,
       'owner' || i % 12 || '@corp.com' as owner,
       timestamptz '{start}' - interval 200 day + to_days((i % 150)::int) as created_at,
       timestamptz '{start}' - interval 10 day + to_days((i % 5)::int) as updated_at,
       false as is_archived, 'contacts.csv' as _source_file, i + 2 as _source_line, 'h' as _file_hash
from range({customers}) t(i) where i % 10 < 6;

create or replace table raw_crm.deals as
select 5000000 + i as deal_id, 'Deal ' || i as deal_name,
       ['appointmentscheduled', 'qualifiedtobuy', 'contractsent', 'closedwon', 'closedlost'][1 + i % 5] as stage,
       'default' as pipeline, (1000 + (i * 37) % 9000)::double as amount,
       date '{start}' + (i % 60)::int as close_date, 'owner' || i % 12 || '@corp.com' as owner,
       1000000 + i as contact_id, 1 + i % {companies} as company_id,
       timestamptz '{start}' - interval 90 day as created_at, timestamptz '{start}' - interval 5 day as updated_at,
       false as is_archived
from range({customers}) t(i) where i % 10 = 0;

create or replace table raw_crm.activities as
select 7000000 + i * 2 + k as activity_id, ['CALL', 'MEETING', 'NOTE', 'EMAIL', 'TASK'][1 + (i + k) % 5] as activity_type,
       timestamptz '{start}' - interval 30 day + to_days((k * 20)::int) as occurred_at,
       1000000 + i as contact_id, 5000000 + i as deal_id, 'owner' || i % 12 || '@corp.com' as owner,
       'Follow-up' as subject, false as is_archived
from range({customers}) t(i), range(2) k(k) where i % 10 = 0;
"""

EMAIL_SQL = """
create or replace table raw_email.campaigns as
select 'cmp' || c as campaign_id, 'Newsletter ' || c as campaign_name, 'News ' || c as subject,
       timestamptz '{start}' + to_days((c * 7)::int) as sent_at
from range({campaigns}) t(c);

create or replace table raw_email.activity as
with sends as (
    select i, c, timestamptz '{start}' + to_days((c * 7)::int) as sent_at
    from range({customers}) t(i), range({campaigns}) s(c) where i % 10 >= 3
), actions as (
    select i, c, 'sent' as action, sent_at as occurred_at from sends
    union all select i, c, 'open', sent_at + interval 2 hour from sends where (i + c) % 3 = 0
    union all select i, c, 'click', sent_at + interval 3 hour from sends where (i + c) % 9 = 0
    union all select i, c, 'unsubscribe', sent_at + interval 4 hour from sends where i % 97 = 0 and c = 1
)
select md5('r' || i || 'cmp' || c || action || occurred_at) as activity_id, 'r' || i as recipient_id,
       'user' || i || '@example.com' as email, 'user' || i || '@example.com' as email_normalized,
       'First' || i as first_name, 'Last' || i as last_name, 'cmp' || c as campaign_id, action, occurred_at,
       case when action = 'click' then 'https://c360.example/pricing?mc_eid=r' || i end as url,
       null::varchar as bounce_type
from actions;
"""

IDENTITY_SQL = """
create or replace table identity.customer_map as
select 'crm_contact' as source, contact_id::varchar as source_record_id, 'cust-' || (contact_id - 1000000) as customer_id
from raw_crm.contacts
union all select 'web_anonymous_id', 'anon-' || i, 'cust-' || i from range({customers}) t(i)
union all select 'web_user_id', 'user-' || i, 'cust-' || i from range({customers}) t(i) where i % 2 = 0
union all select 'email_recipient', 'r' || i, 'cust-' || i from range({customers}) t(i) where i % 10 >= 3;
"""

WEB_EVENTS_SQL = """
{verb}
with sessions as (
    select s, s % {customers} as i,
           timestamptz '{start}' + to_days(({day_offset} + s * {days} // {sessions})::int)
               + to_seconds(((s * 7919) % 80000)::bigint) as started_at
    from range({sessions}) t(s)
)
select md5('m' || {day_offset} || '-' || s || '-' || k) as message_id,
       case when k = 0 and s % 20 = 0 then 'identify' when k = 4 then 'track' else 'page' end as type,
       case when k = 4 then 'Signed Up' end as event, null::varchar as name,
       'anon-' || i as anonymous_id, case when i % 2 = 0 then 'user-' || i end as user_id, null::varchar as previous_id,
       started_at + to_seconds((k * 90)::bigint) as "timestamp", '10.0.0.1' as ip, 'Mozilla/5.0' as user_agent,
       'https://c360.example' || ['/', '/pricing', '/blog', '/docs', '/signup'][1 + (s + k) % 5] as page_url,
       ['/', '/pricing', '/blog', '/docs', '/signup'][1 + (s + k) % 5] as page_path,
       'Page' as page_title, case when k = 0 then 'https://google.com' end as referrer,
       case when k = 0 and s % 3 = 0 then 'newsletter' end as utm_source,
       case when k = 0 and s % 3 = 0 then 'email' end as utm_medium,
       case when k = 0 and s % 3 = 0 then 'spring' end as utm_campaign,
       null::varchar as utm_term, null::varchar as utm_content, null::varchar as mc_eid,
       case when k = 0 and s % 20 = 0 then 'user' || i || '@example.com' end as traits_email,
       case when k = 0 and s % 20 = 0 then 'user' || i || '@example.com' end as traits_email_normalized,
       case when k = 0 and s % 20 = 0 then 'Web' || i end as traits_first_name,
       case when k = 0 and s % 20 = 0 then 'Last' || i end as traits_last_name,
       null::varchar as traits_phone, '{{}}' as properties
from sessions, range({events_per_session}) e(k)
"""


def synthesize_warehouse(path: Path, customers: int, events: int, days: int = 180) -> None:
    """Writes every raw and identity table the dbt project reads, sized for the benchmark."""
    started = time.monotonic()
    params = dict(start=START, customers=customers, companies=max(customers // 20, 1), campaigns=12)
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA_DDL)
        con.execute(CRM_SQL.format(**params))
        con.execute(EMAIL_SQL.format(**params))
        con.execute(IDENTITY_SQL.format(**params))
        con.execute(_web_events_sql("create or replace table raw_web.events as", customers, events, days, day_offset=0))
    log.info("synthesised %d customers and %d web events in %.1fs", customers, events, time.monotonic() - started)


def append_web_day(path: Path, customers: int, events: int, day_offset: int) -> None:
    """Appends one more day of events after the synthesised history, as a daily load would."""
    with duckdb.connect(str(path)) as con:
        con.execute(_web_events_sql("insert into raw_web.events", customers, events, days=1, day_offset=day_offset))


def _web_events_sql(verb: str, customers: int, events: int, days: int, day_offset: int) -> str:
    params = dict(verb=verb, customers=customers, days=days, day_offset=day_offset)
    sessions = max(events // EVENTS_PER_SESSION, 1)
    return WEB_EVENTS_SQL.format(**params, start=START, sessions=sessions, events_per_session=EVENTS_PER_SESSION)


def dbt_build(warehouse: Path, target_path: Path, *extra: str) -> None:
    """Runs `dbt build` in-process; raises if any node fails."""
    from dbt.cli.main import dbtRunner

    os.environ["C360_WAREHOUSE"] = str(warehouse)
    result = dbtRunner().invoke(
        [
            "build",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
            "--quiet",
            "--exclude",
            "test_type:unit",
            *extra,
        ]
    )
    if not result.success:
        raise RuntimeError(f"dbt build failed: {result.exception}")


def _project_vars() -> dict:
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def plain_sessions_select(devices_from: str | None = None) -> str:
    """Plain sessionisation with the same output as int_web_sessions (every column, same values), as one
    would write it by hand over the loaded events: `lag` flags a gap longer than the project's timeout,
    a running `sum` numbers the sessions, one aggregate per session. No staging, no cleaning and no
    deduplication (the synthesised events have no redeliveries), so it is the lower bound.
    `devices_from` names a table of (anonymous_id, resume_from): only those devices' events from
    `resume_from` on (all of them when it is null) are sessionised, for the incremental baseline."""
    project_vars = _project_vars()
    conversions = ", ".join(f"'{name}'" for name in project_vars["conversion_events"])
    timeout = f"to_minutes({int(project_vars['session_timeout_minutes'])})"
    events = 'select *, "timestamp"::timestamp as event_at from raw_web.events where anonymous_id is not null'
    if devices_from:
        events = (
            f'select e.*, e."timestamp"::timestamp as event_at from raw_web.events as e'
            f" inner join {devices_from} as d on e.anonymous_id = d.anonymous_id"
            f' where d.resume_from is null or e."timestamp"::timestamp >= d.resume_from'
        )
    return f"""
with events as ({events}),
flagged as (
    select anonymous_id, user_id, event_at, message_id, type, event, page_path, referrer, utm_source, utm_medium,
           utm_campaign, traits_email, traits_first_name, traits_last_name, traits_phone,
           case when event_at - lag(event_at) over device_order <= {timeout} then 0 else 1 end as is_start
    from events
    window device_order as (partition by anonymous_id order by event_at, message_id)
), numbered as (
    select *, sum(is_start) over (partition by anonymous_id order by event_at, message_id
                                  rows unbounded preceding) as session_number
    from flagged
)
select md5(anonymous_id || '|' || cast(min(event_at) as varchar)) as session_id, anonymous_id,
       arg_max(user_id, event_at) filter (where user_id is not null) as user_id,
       min(event_at) as session_start, max(event_at) as session_end,
       cast(epoch(max(event_at)) - epoch(min(event_at)) as bigint) as duration_seconds, count(*) as events,
       count(*) filter (where type = 'page') as page_views,
       count(*) filter (where type = 'page' and page_path like '{project_vars["pricing_page_pattern"]}')
           as pricing_page_views,
       arg_min(page_path, event_at) filter (where type = 'page') as landing_page,
       arg_min(referrer, event_at) as referrer,
       arg_min(utm_source, event_at) filter (where utm_source is not null) as utm_source,
       arg_min(utm_medium, event_at) filter (where utm_medium is not null) as utm_medium,
       arg_min(utm_campaign, event_at) filter (where utm_campaign is not null) as utm_campaign,
       coalesce(bool_or(type = 'track' and event in ({conversions})), false) as converted,
       arg_max(traits_email, event_at) filter (where traits_email is not null) as traits_email,
       arg_max(traits_first_name, event_at) filter (where traits_first_name is not null) as traits_first_name,
       arg_max(traits_last_name, event_at) filter (where traits_last_name is not null) as traits_last_name,
       arg_max(traits_phone, event_at) filter (where traits_phone is not null) as traits_phone,
       max(event_at) filter (where type = 'identify') as identified_at
from numbered group by anonymous_id, session_number"""


def plain_narrow_sessions_select() -> str:
    """The sessionisation core this benchmark used as its baseline before: the same sessions, but only 8 of
    int_web_sessions' 20 columns (no landing page, referrer, UTMs, traits, pricing views, identify time)."""
    project_vars = _project_vars()
    conversions = ", ".join(f"'{name}'" for name in project_vars["conversion_events"])
    return f"""
with flagged as (
    select anonymous_id, user_id, "timestamp" as event_at, message_id, type, event, page_path,
           case when "timestamp" - lag("timestamp") over device_order
                     <= to_minutes({int(project_vars["session_timeout_minutes"])}) then 0 else 1 end as is_start
    from raw_web.events
    where anonymous_id is not null
    window device_order as (partition by anonymous_id order by "timestamp", message_id)
), numbered as (
    select *, sum(is_start) over (partition by anonymous_id order by event_at, message_id
                                  rows unbounded preceding) as session_number
    from flagged
)
select anonymous_id, session_number,
       arg_max(user_id, event_at) filter (where user_id is not null) as user_id,
       min(event_at) as session_start, max(event_at) as session_end, count(*) as events,
       count(*) filter (where type = 'page') as page_views,
       coalesce(bool_or(type = 'track' and event in ({conversions})), false) as converted
from numbered group by anonymous_id, session_number"""


def plain_sql() -> str:
    """Sessions per device (plain_sessions_select), then one row per customer through the identity map
    (user id's customer first, as int_web_sessions_by_customer)."""
    return f"""
create schema if not exists bench_plain;
create or replace table bench_plain.sessions as {plain_sessions_select()};
{PLAIN_CUSTOMER_WEB_SQL}"""


PLAIN_CUSTOMER_WEB_SQL = """
create or replace table bench_plain.customer_web as
select coalesce(by_user.customer_id, by_device.customer_id) as customer_id, count(*) as sessions,
       sum(s.events) as events, sum(s.page_views) as page_views, max(s.session_end) as last_seen_at,
       bool_or(s.converted) as converted
from bench_plain.sessions s
left join identity.customer_map by_user on by_user.source = 'web_user_id' and by_user.source_record_id = s.user_id
left join identity.customer_map by_device
       on by_device.source = 'web_anonymous_id' and by_device.source_record_id = s.anonymous_id
group by all;
"""


def plain_incremental_sql() -> str:
    """The plain incremental day for sessions: re-sessionise only devices with events newer than the stored
    sessions, from their latest (possibly still open) session on, replacing that session."""
    return f"""
begin;
create temp table touched as
select anonymous_id, max(s.session_start) as resume_from
from (select distinct anonymous_id from raw_web.events
      where "timestamp"::timestamp > (select max(session_end) from bench_plain.sessions)) as new_events
left join bench_plain.sessions as s using (anonymous_id)
group by anonymous_id;
delete from bench_plain.sessions as s using touched as t
where s.anonymous_id = t.anonymous_id and s.session_start = t.resume_from;
insert into bench_plain.sessions {plain_sessions_select(devices_from="touched")};
commit;
"""


def plain_compare_sql(c360_table: str, plain_table: str) -> str:
    """Rows of either table missing from the other (EXCEPT ALL both ways): 0 when they are identical."""
    return f"""select (select count(*) from (from {c360_table} except all from {plain_table}))
                    + (select count(*) from (from {plain_table} except all from {c360_table}))"""


COMPILED_SESSIONS = Path("compiled", "c360", "models", "intermediate", "int_web_sessions.sql")


def run_one(step: str, warehouse: Path, target_path: Path) -> None:
    """Child-process entry: one step, printed as JSON seconds. Imports happen before the clock."""
    if step.startswith("c360-") and step != "c360-sessions":
        from dbt.cli.main import dbtRunner  # noqa: F401
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    if step.startswith("c360-") and step != "c360-sessions":
        dbt_build(warehouse, target_path, *(["--full-refresh"] if step == "c360-full" else []))
    else:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(_plain_step_sql(step, target_path))
    result = {"seconds": time.perf_counter() - started, "cpu": _cpu_seconds() - cpu_started}
    if step in ("c360-incremental", "c360-unchanged"):
        result["slowest_nodes"] = _slowest_nodes(target_path)
    if step == "c360-incremental":
        result["sessions_model_seconds"] = _model_seconds(target_path, "model.c360.int_web_sessions")
    print(json.dumps(result))


def _cpu_seconds() -> float:
    """User + system CPU of this process (DuckDB's and dbt's threads included): on a shared machine it
    varies far less with the load than wall time does."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _plain_step_sql(step: str, target_path: Path) -> str:
    if step == "c360-sessions":
        compiled = (target_path / "full_refresh_int_web_sessions.sql").read_text()
        return f"create or replace table bench_plain.c360_sessions as {compiled}"
    if step == "plain-sessions":
        return f"create or replace table bench_plain.plain_sessions as {plain_sessions_select()}"
    if step == "plain-narrow-sessions":
        return f"create or replace table bench_plain.plain_narrow_sessions as {plain_narrow_sessions_select()}"
    return plain_sql() if step == "plain-full" else plain_incremental_sql()


def _model_seconds(target_path: Path, unique_id: str) -> float:
    """One model's own execution time in the last dbt invocation (run_results.json)."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return next(r["execution_time"] for r in results if r["unique_id"] == unique_id)


def _slowest_nodes(target_path: Path, count: int = 10) -> str:
    """Where an incremental build spends its time: the slowest models and tests, with their seconds."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:count]
    return ", ".join(f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f}s" for r in slowest)


def measure(step: str, warehouse: Path, target_path: Path) -> dict:
    """Runs one step in a child process; its in-process seconds, wall time and peak RSS."""
    return run_measured([__file__, "--one", step, str(warehouse), str(target_path)])


def report(phase: str, events: int, c360: dict, plain: dict) -> None:
    """One line per comparison: both sides' seconds, rates, child wall and peak, and the ratios; CPU seconds
    where both sides have them (not for a dbt node, whose CPU dbt does not report)."""
    with_cpu = "cpu" in c360 and "cpu" in plain
    c360_rate, plain_rate = events / c360["seconds"], events / plain["seconds"]
    c360_cpu, plain_cpu = (f" (CPU {c360['cpu']:.1f}s)", f" (CPU {plain['cpu']:.1f}s)") if with_cpu else ("", "")
    print(
        f"{phase}: {events:,} events | c360 {c360['seconds']:.1f}s{c360_cpu} = {c360_rate:,.0f} events/s"
        f" (child wall {c360['wall']:.1f}s, peak {c360['peak_mb']:,.0f} MB) | plain DuckDB {plain['seconds']:.1f}s"
        f"{plain_cpu} = {plain_rate:,.0f} events/s (child wall {plain['wall']:.1f}s, peak {plain['peak_mb']:,.0f} MB)"
        f" | c360/plain time {c360['seconds'] / plain['seconds']:.2f}x"
        + (f", CPU {c360['cpu'] / plain['cpu']:.2f}x" if with_cpu else ""),
        flush=True,
    )


def differing_rows(warehouse: Path, c360_table: str, plain_table: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(plain_compare_sql(c360_table, plain_table)).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved c360/plain rounds per comparison")
    parser.add_argument(
        "--sessions-rounds",
        type=int,
        default=None,
        help="rounds of the int_web_sessions comparison (default: --rounds)",
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep the warehouse here (default: a temp dir)")
    parser.add_argument("--one", nargs=3, metavar=("STEP", "WAREHOUSE", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.one:
        run_one(args.one[0], Path(args.one[1]), Path(args.one[2]))
        return

    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        warehouse, target = workdir / "bench.duckdb", workdir / "target"
        warehouse.unlink(missing_ok=True)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        synthesize_warehouse(warehouse, args.customers, args.events, args.days)
        full = measure("c360-full", warehouse, target)
        full_plain = measure("plain-full", warehouse, target)
        events = _event_count(warehouse)
        report(
            "full build (c360 dbt build of every model and test; plain sessions + customer aggregate)",
            events,
            full,
            full_plain,
        )
        # The compiled full-refresh SQL of int_web_sessions, before the incremental build recompiles it.
        shutil.copy(target / COMPILED_SESSIONS, target / "full_refresh_int_web_sessions.sql")
        for _ in range(args.rounds if args.sessions_rounds is None else args.sessions_rounds):
            sessions = measure("c360-sessions", warehouse, target)
            baselines = {
                "plain same-output sessionisation": measure("plain-sessions", warehouse, target),
                "plain sessionisation of 8 of its 20 columns": measure("plain-narrow-sessions", warehouse, target),
            }
            for baseline, plain_sessions in baselines.items():
                report(f"int_web_sessions full (compiled SQL vs {baseline})", events, sessions, plain_sessions)
        if args.sessions_rounds != 0:
            print(
                f"sessions differing between c360 and plain: "
                f"{differing_rows(warehouse, 'bench_plain.c360_sessions', 'bench_plain.plain_sessions')}"
            )

        # the floor: a build with no new data at all (dbt's start-up, every node and test, nothing to do)
        unchanged = measure("c360-unchanged", warehouse, target)
        print(
            f"build with no new data: {unchanged['seconds']:.1f}s (CPU {unchanged['cpu']:.1f}s) ="
            f" {unchanged['seconds'] / full['seconds']:.1%} of the full build (CPU"
            f" {unchanged['cpu'] / full['cpu']:.1%}); slowest nodes: {unchanged['slowest_nodes']}",
            flush=True,
        )

        append_web_day(warehouse, args.customers, args.events // args.days, day_offset=args.days)
        events = _event_count(warehouse)
        before_day = workdir / "before_day.duckdb"
        shutil.copy(warehouse, before_day)
        for round_number in range(args.rounds):
            if round_number:
                shutil.copy(before_day, warehouse)
            incremental = measure("c360-incremental", warehouse, target)
            incremental_plain = measure("plain-incremental", warehouse, target)
            report(
                "incremental day (c360 dbt build; plain re-sessionises devices with new events)",
                events,
                incremental,
                incremental_plain,
            )
            print(f"slowest nodes of the c360 incremental build: {incremental['slowest_nodes']}")
            model = {"wall": incremental["wall"], "peak_mb": incremental["peak_mb"]}
            model["seconds"] = incremental["sessions_model_seconds"]
            report(
                "incremental day, int_web_sessions model alone vs plain incremental sessions",
                events,
                model,
                incremental_plain,
            )
            ratio = incremental["seconds"] / full["seconds"]
            print(
                f"c360 full={full['seconds']:.1f}s incremental={incremental['seconds']:.1f}s ratio={ratio:.1%}"
                f" (CPU {full['cpu']:.1f}s / {incremental['cpu']:.1f}s = {incremental['cpu'] / full['cpu']:.1%})"
                f" target<=10% {'PASS' if ratio <= 0.10 else 'FAIL'}; customers rebuilt: "
                f"{_changed_customers(warehouse)}; sessions model / plain incremental "
                f"{model['seconds'] / incremental_plain['seconds']:.2f}x target<=3x; sessions differing: "
                f"{differing_rows(warehouse, 'intermediate.int_web_sessions', 'bench_plain.sessions')}",
                flush=True,
            )
        before_day.unlink()
        print(f"load average after: {os.getloadavg()[0]:.1f}")


def _changed_customers(warehouse: Path) -> str:
    """How many customers the incremental build rebuilt (int_changed_customers), of how many."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        changed, customers = con.execute(
            "select (select count(*) from intermediate.int_changed_customers),"
            " (select count(*) from marts.dim_customers)"
        ).fetchone()
    return f"{changed:,} of {customers:,}"


def _event_count(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from raw_web.events").fetchone()[0]


if __name__ == "__main__":
    main()
