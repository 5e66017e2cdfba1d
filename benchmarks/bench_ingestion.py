"""Ingestion throughput: c360's dlt pipelines vs plain DuckDB and vs plain SQL with the same output.

    ./dev python benchmarks/bench_ingestion.py --rows 1000000 --rounds 2

Writes N Segment events (JSON lines) and N HubSpot contacts (CSV) at the contract shapes, then
loads each three ways, every load in its own child process (wall, CPU and peak memory are its own):
- c360: the real pipeline (`run_ingestion`, fresh warehouse): hashing, parsing and validation,
  dlt's extract/normalize/load into the raw table, quarantine and load report;
- plain: `CREATE TABLE AS SELECT * FROM read_json/read_csv` (no typing, flattening, dedup or lineage);
- same-output SQL: one plain DuckDB statement producing c360's raw table (same columns, types and
  values: typed, flattened, validated, deduplicated, lineage columns and the file's SHA-256 by
  hashlib), checked
  identical to c360's table (EXCEPT ALL both ways) in the first round.
Rounds interleave the three (the order rotates each round), so load from other work hits all alike.
Ratios are throughput ratios: the baseline's seconds over c360's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.measured_child import run_measured

CONTACT_HEADER = (
    "Record ID,First Name,Last Name,Email,Additional email addresses,Phone Number,Company Name,Job Title,"
    "Street Address,City,Postal Code,Date of birth,Lifecycle Stage,Contact owner,Create Date,Last Modified Date,Archived"
)
FIRST = ["Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo"]
LAST = ["Lee", "Ng", "Diaz", "Smith", "Khan", "Ivanova", "Okafor", "Muller"]
PAGES = ["/", "/pricing", "/features", "/docs/getting-started", "/customers", "/login"]


def write_inputs(folder: Path, rows: int) -> None:
    """Synthetic landing files in the shapes of docs/architecture.md (web/ and crm/ folders)."""
    rng = random.Random(7)
    (folder / "web").mkdir(parents=True, exist_ok=True)
    (folder / "crm").mkdir(parents=True, exist_ok=True)
    with (folder / "web" / "events-2026-09-01.jsonl").open("w") as out:
        for i in range(rows):
            path = rng.choice(PAGES)
            kind = "page" if i % 10 else ("track" if i % 20 else "identify")
            record = {
                "messageId": f"msg-{i:09d}",
                "type": kind,
                "anonymousId": f"anon-{i // 7:08d}",
                "userId": f"user-{i // 50}" if i % 3 == 0 else None,
                "timestamp": f"2026-09-01T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000:03d}Z",
                "properties": {"plan": "pro"} if kind == "track" else {},
                "context": {
                    "ip": f"10.{i % 256}.{(i // 256) % 256}.{i % 7}",
                    "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/129.0 Safari/537.36",
                    "page": {
                        "url": f"https://www.example.com{path}?utm_source=news",
                        "path": path,
                        "referrer": "https://www.google.com/",
                        "title": "Example",
                    },
                    "campaign": {"source": "news", "medium": "email", "name": "fall"},
                },
            }
            if kind == "track":
                record["event"] = "Product Viewed"
            if kind == "identify":
                record["traits"] = {"email": f"Person{i}@Example.com", "firstName": rng.choice(FIRST)}
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
    with (folder / "crm" / "contacts.csv").open("w") as out:
        out.write(CONTACT_HEADER + "\n")
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            out.write(
                f"{10_000_000_000 + i},{first},{last},{first.lower()}.{last.lower()}{i}@example.com,,+1415555{i % 10000:04d},"
                f"Acme {i % 997} Inc.,Engineer,{i % 999} Main St,Springfield,{10000 + i % 89999},1980-01-{1 + i % 28:02d},"
                f"lead,Owner {i % 12},2025-01-01 00:00:00,2026-0{1 + i % 9}-15 12:00:00,{'true' if i % 50 == 0 else 'false'}\n"
            )


def load_c360(folder: Path, source: str, work: Path) -> tuple[int, Path, str]:
    from c360.settings import Settings
    from ingestion.pipelines import run_ingestion

    settings = Settings(
        warehouse=work / "c360.duckdb", landing=folder, exports=work / "exports", reports=work / "reports"
    )
    summary = run_ingestion(settings, [source])[source]
    assert summary["rows_quarantined"] == 0, summary
    return summary["rows_loaded"], settings.warehouse, f"raw_{source}.{TABLES[source]}"


def load_plain(folder: Path, source: str, work: Path) -> tuple[int, Path, str]:
    import duckdb

    reader = f"read_json('{folder}/web/*.jsonl')" if source == "web" else f"read_csv('{folder}/crm/contacts.csv')"
    with duckdb.connect(str(work / "plain.duckdb")) as con:
        con.execute(f"CREATE TABLE {TABLES[source]} AS SELECT * FROM {reader}")
        return con.execute(f"SELECT count(*) FROM {TABLES[source]}").fetchone()[0], work / "plain.duckdb", ""


TABLES = {"web": "events", "crm": "contacts"}
WEB_FILE, CRM_FILE = "web/events-2026-09-01.jsonl", "crm/contacts.csv"

# Segment events, read with the fields c360's raw table keeps: objects kept whole (properties,
# traits) as JSON, the rest as text, so nothing else of the document is materialised.
EVENT_COLUMNS = """{
    messageId: 'VARCHAR', type: 'VARCHAR', event: 'VARCHAR', name: 'VARCHAR', anonymousId: 'VARCHAR',
    userId: 'VARCHAR', previousId: 'VARCHAR', timestamp: 'VARCHAR', properties: 'JSON', traits: 'JSON',
    context: 'STRUCT(ip VARCHAR, userAgent VARCHAR,
        page STRUCT(url VARCHAR, path VARCHAR, title VARCHAR, referrer VARCHAR),
        campaign STRUCT(source VARCHAR, medium VARCHAR, name VARCHAR, term VARCHAR, content VARCHAR),
        traits JSON, consent STRUCT(categoryPreferences VARCHAR))'
}"""


def utm(column: str, name: str) -> str:
    """The campaign field, else the URL's query parameter (CASE: coalesce would run the regex on every row)."""
    from_url = (
        f"CASE WHEN contains(page_url, '{name}=')"
        f" THEN NULLIF(url_decode(regexp_extract(page_url, '[?&]{name}=([^&#]*)', 1)), '') END"
    )
    return f"CASE WHEN {column} IS NULL THEN {from_url} ELSE {column} END"


def trait(path: str) -> str:
    return f"coalesce(traits ->> '{path}', context.traits ->> '{path}')"


def same_output_events(path: Path, name: str, file_hash: str) -> str:
    """raw_web.events by one plain statement: the same columns, types and values as c360's table."""
    return f"""
    CREATE TABLE events AS
    WITH parsed AS (
        SELECT row_number() OVER () AS line, * FROM read_json('{path}', format='newline_delimited', columns={EVENT_COLUMNS})
    ), flat AS (
        SELECT line, messageId AS message_id, lower(type) AS type, event, name, anonymousId AS anonymous_id,
            userId AS user_id, previousId AS previous_id, timestamp AS raw_timestamp,
            TRY_CAST(timestamp AS TIMESTAMPTZ) AS timestamp, context.ip AS ip, context.userAgent AS user_agent,
            coalesce(context.page.url, properties ->> 'url') AS page_url,
            coalesce(context.page.path, properties ->> 'path') AS page_path,
            coalesce(context.page.title, properties ->> 'title') AS page_title,
            coalesce(context.page.referrer, properties ->> 'referrer') AS referrer,
            context.campaign AS campaign,
            {trait("email")} AS traits_email, {trait("firstName")} AS first_name, {trait("lastName")} AS last_name,
            {trait("name")} AS traits_name, {trait("phone")} AS traits_phone, {trait("birthday")} AS traits_birthday,
            {trait("$.address.street")} AS traits_street, {trait("$.address.city")} AS traits_city,
            {trait("$.address.postalCode")} AS traits_postal_code, {trait("$.address.state")} AS traits_state,
            {trait("$.address.country")} AS traits_country,
            coalesce(traits ->> '$.company.name', traits ->> 'company', context.traits ->> '$.company.name',
                     context.traits ->> 'company') AS company,
            coalesce(traits, context.traits)::VARCHAR AS traits, properties::VARCHAR AS properties,
            json(context.consent.categoryPreferences)::VARCHAR AS consent_preferences
        FROM parsed
    ), firsts AS (  -- the first line of each message id (a semi-join on the key: QUALIFY row_number() over
                    -- the wide rows is planned as an aggregate of every column, 3x slower)
        SELECT messageId AS message_id, min(line) AS line FROM parsed GROUP BY ALL
    )
    SELECT message_id, type, event, name, anonymous_id, user_id, previous_id, timestamp, ip, user_agent,
        page_url, page_path, page_title, referrer,
        {utm("campaign.source", "utm_source")} AS utm_source, {utm("campaign.medium", "utm_medium")} AS utm_medium,
        {utm("campaign.name", "utm_campaign")} AS utm_campaign, {utm("campaign.term", "utm_term")} AS utm_term,
        {utm("campaign.content", "utm_content")} AS utm_content, {utm("NULL", "mc_eid")} AS mc_eid,
        traits_email, NULLIF(lower(trim(traits_email)), '') AS traits_email_normalized,
        coalesce(first_name, NULLIF(split_part(trim(traits_name), ' ', 1), '')) AS traits_first_name,
        coalesce(last_name, NULLIF(trim(substr(trim(traits_name), length(split_part(trim(traits_name), ' ', 1)) + 1)), ''))
            AS traits_last_name,
        traits_name, traits_phone, traits_birthday, traits_street, traits_city, traits_postal_code, traits_state,
        traits_country, CASE WHEN NOT starts_with(ltrim(company), '{{') THEN company END AS traits_company,
        traits, properties, consent_preferences,
        '{name}' AS _source_file, line AS _source_line,
        '{file_hash}' AS _file_hash
    FROM flat SEMI JOIN firsts USING (message_id, line)
    WHERE message_id IS NOT NULL AND type IN ('identify', 'track', 'page', 'screen', 'alias', 'group')
        AND timestamp IS NOT NULL AND coalesce(anonymous_id, user_id) IS NOT NULL
        AND (type <> 'track' OR event IS NOT NULL)
    """


def same_output_contacts(path: Path, name: str, file_hash: str, now: str) -> str:
    """raw_crm.contacts by one plain statement: HubSpot headers renamed, typed, validated, latest per id."""
    return f"""
    CREATE TABLE contacts AS
    WITH parsed AS (
        SELECT row_number() OVER () + 1 AS line, * FROM read_csv('{path}', all_varchar=true, header=true)
    ), typed AS (
        SELECT line, NULLIF(trim("Record ID"), '') AS contact_id, NULLIF("First Name", '') AS first_name,
            NULLIF("Last Name", '') AS last_name, NULLIF("Email", '') AS email,
            NULLIF("Additional email addresses", '') AS additional_emails, NULLIF("Phone Number", '') AS phone,
            NULLIF("Company Name", '') AS company_name, NULLIF("Job Title", '') AS job_title,
            NULLIF("Street Address", '') AS street, NULLIF("City", '') AS city, NULLIF("Postal Code", '') AS postal_code,
            TRY_CAST(NULLIF(trim("Date of birth"), '') AS DATE) AS date_of_birth, "Date of birth" AS given_birth,
            lower(NULLIF(trim("Lifecycle Stage"), '')) AS lifecycle_stage, NULLIF(trim("Contact owner"), '') AS owner,
            TRY_CAST(NULLIF(trim("Create Date"), '') AS TIMESTAMPTZ) AS created_at, "Create Date" AS given_created,
            TRY_CAST(NULLIF(trim("Last Modified Date"), '') AS TIMESTAMPTZ) AS updated_at,
            CASE WHEN lower(trim("Archived")) IN ('true','t','1','yes','y') THEN true
                 WHEN lower(trim("Archived")) IN ('false','f','0','no','n') THEN false END AS is_archived,
            "Archived" AS given_archived
        FROM parsed
    )
    SELECT contact_id, first_name, last_name, email, NULLIF(lower(trim(email)), '') AS email_normalized,
        additional_emails, phone, company_name, job_title, street, city, postal_code, date_of_birth,
        lifecycle_stage, owner, created_at, updated_at, is_archived,
        NULL::BOOLEAN AS email_opt_out, NULL::BOOLEAN AS do_not_call,
        '{name}' AS _source_file, line AS _source_line,
        '{file_hash}' AS _file_hash
    FROM typed
    WHERE contact_id IS NOT NULL AND updated_at IS NOT NULL AND updated_at <= TIMESTAMPTZ '{now}'
        AND (created_at IS NOT NULL OR NULLIF(trim(given_created), '') IS NULL)
        AND coalesce(created_at <= TIMESTAMPTZ '{now}', true)
        AND (date_of_birth IS NOT NULL OR NULLIF(trim(given_birth), '') IS NULL)
        AND coalesce(date_of_birth BETWEEN DATE '1900-01-01' AND current_date, true)
        AND (is_archived IS NOT NULL OR NULLIF(trim(given_archived), '') IS NULL)
    QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY updated_at DESC NULLS LAST, line DESC) = 1
    """


def load_same_output(folder: Path, source: str, work: Path) -> tuple[int, Path, str]:
    import datetime as dt

    import duckdb

    file = WEB_FILE if source == "web" else CRM_FILE
    path, name = folder / file, Path(file).name
    now = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    # hashlib, not DuckDB's sha256(): OpenSSL's SHA-256 is several times faster
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    if source == "web":
        sql = same_output_events(path, name, file_hash)
    else:
        sql = same_output_contacts(path, name, file_hash, now)
    with duckdb.connect(str(work / "same.duckdb")) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(sql)
        return con.execute(f"SELECT count(*) FROM {TABLES[source]}").fetchone()[0], work / "same.duckdb", ""


ENGINES = {"c360": load_c360, "plain": load_plain, "same": load_same_output}
LABELS = {"c360": "c360", "plain": "plain read_*", "same": "same-output SQL"}


def run_one(engine: str, source: str, folder: Path) -> None:
    """Child-process entry: load once, print rows, wall and CPU seconds and the table as JSON.

    Libraries are imported before the clock starts: interpreter and import time is not load throughput.
    CPU is the process's (all its threads'): DuckDB's and dlt's worker threads included.
    """
    import duckdb  # noqa: F401

    import ingestion.pipelines  # noqa: F401

    work = Path(tempfile.mkdtemp(prefix=f"bench_{engine}_"))
    started, cpu = time.perf_counter(), time.process_time()
    rows, database, table = ENGINES[engine](folder, source, work)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "database": str(database), "table": table}))


def measure(engine: str, source: str, folder: Path) -> dict:
    return run_measured([__file__, "--one", engine, source, str(folder)])


def check_same_output(c360: dict, same: dict, source: str) -> None:
    """c360's raw table and the same-output SQL's hold the same rows (EXCEPT ALL both ways)."""
    import duckdb

    with duckdb.connect() as con:
        con.execute(f"ATTACH '{c360['database']}' AS c360 (READ_ONLY)")
        con.execute(f"ATTACH '{same['database']}' AS same (READ_ONLY)")
        ours, theirs = f"c360.{c360['table']}", f"same.{TABLES[source]}"
        differ = [
            con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()[0]
            for a, b in ((ours, theirs), (theirs, ours))
        ]
    if any(differ):
        raise SystemExit(f"{source}: c360 and the same-output SQL differ ({differ[0]} / {differ[1]} rows)")


def describe(engine: str, runs: list[dict]) -> str:
    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    rounds = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    return (
        f"  {LABELS[engine]:16s} {runs[0]['rows']:>10,} rows  wall {seconds:6.2f}s ({rounds})"
        f"  CPU {cpu:6.2f}s  {runs[0]['rows'] / seconds:>10,.0f} rows/s  peak {peak:,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (c360, plain, same-output SQL)")
    parser.add_argument("--workdir", type=Path, help="reuse inputs generated here (default: a temp dir)")
    parser.add_argument("--one", nargs=3, metavar=("ENGINE", "SOURCE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], args.one[1], Path(args.one[2]))
        return
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="bench_ingestion_"))
    if not (folder / CRM_FILE).exists():
        started = time.perf_counter()
        write_inputs(folder, args.rows)
        print(
            f"generated {args.rows:,} events and {args.rows:,} contacts in {time.perf_counter() - started:.1f}s ({folder})"
        )
    total_started = time.perf_counter()
    for source, label in (("web", "web events (JSON lines)"), ("crm", "CRM contacts (CSV)")):
        runs: dict[str, list[dict]] = {engine: [] for engine in ENGINES}
        order = list(ENGINES)
        for round_number in range(args.rounds):
            for engine in order[round_number % 3 :] + order[: round_number % 3]:
                runs[engine].append(measure(engine, source, folder))
            if round_number == 0:
                check_same_output(runs["c360"][0], runs["same"][0], source)
        print(f"{label}, median of {args.rounds} round(s) (each round's wall in brackets):")
        for engine in ENGINES:
            print(describe(engine, runs[engine]))
        c360 = statistics.median(r["seconds"] for r in runs["c360"])
        ratios = [
            f"{statistics.median(r['seconds'] for r in runs[base]) / c360:.0%} of {LABELS[base]}"
            for base in ("plain", "same")
        ]
        print(f"  c360 throughput: {ratios[0]}, {ratios[1]} (same output: identical rows)")
    print(f"total wall time {time.perf_counter() - total_started:.1f}s")


if __name__ == "__main__":
    main()
