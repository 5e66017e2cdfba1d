"""Segment-spec tracking events (JSON lines) to `raw_web.events`, parsed and validated in DuckDB."""
from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.emails import normalize_emails
from ingestion.json_reader import TEXT, line_rejects, load_lines
from ingestion.outcomes import FileResult
from ingestion.records import LINE
from ingestion.typed_rows import literal

EVENT_TYPES = ("identify", "track", "page", "screen", "alias", "group")

# output column -> JSON paths tried in order (one parse per line: all paths go in one extract call)
PATHS: dict[str, tuple[str, ...]] = {
    "message_id": ("$.messageId",),
    "type": ("$.type",),
    "event": ("$.event",),
    "name": ("$.name",),
    "anonymous_id": ("$.anonymousId",),
    "user_id": ("$.userId",),
    "previous_id": ("$.previousId",),
    "timestamp": ("$.timestamp",),
    "ip": ("$.context.ip",),
    "user_agent": ("$.context.userAgent",),
    "page_url": ("$.context.page.url", "$.properties.url"),
    "page_path": ("$.context.page.path", "$.properties.path"),
    "page_title": ("$.context.page.title", "$.properties.title"),
    "referrer": ("$.context.page.referrer", "$.properties.referrer"),
    "utm_source": ("$.context.campaign.source",),
    "utm_medium": ("$.context.campaign.medium",),
    "utm_campaign": ("$.context.campaign.name",),
    "utm_term": ("$.context.campaign.term",),
    "utm_content": ("$.context.campaign.content",),
    "traits_email": ("$.traits.email", "$.context.traits.email"),
    "traits_first_name": ("$.traits.firstName", "$.context.traits.firstName"),
    "traits_last_name": ("$.traits.lastName", "$.context.traits.lastName"),
    "traits_phone": ("$.traits.phone", "$.context.traits.phone"),
    "properties": ("$.properties",),
}


def query_param(url_sql: str, name: str) -> str:
    """SQL for one decoded query-string parameter of a URL (NULL when absent).

    The `contains` guard skips the regex on URLs without the parameter (most of them).
    """
    return (
        f"CASE WHEN contains({url_sql}, '{name}=')"
        f" THEN NULLIF(url_decode(regexp_extract({url_sql}, '[?&]{name}=([^&#]*)', 1)), '') END"
    )


def parse_events(con: duckdb.DuckDBPyConnection, path: Path, text: str, source_file: str, file_hash: str) -> FileResult:
    load_lines(con, path, text, "event_lines")
    all_paths = [p for paths in PATHS.values() for p in paths]
    position = {p: i + 1 for i, p in enumerate(all_paths)}
    fields = {name: f"coalesce({', '.join(f'v[{position[p]}]' for p in paths)})" for name, paths in PATHS.items()}
    # CASE, not coalesce: DuckDB evaluates every coalesce argument, and the URL fallback is a regex
    utm = {k: f"CASE WHEN {k} IS NULL THEN {query_param('page_url', k)} ELSE {k} END" for k in PATHS if k.startswith("utm_")}
    known = ", ".join(literal(t) for t in EVENT_TYPES)
    # each step is its own table: as CTEs DuckDB would re-evaluate the JSON extraction (and
    # every field) once per reference, which made parsing several times slower
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE extracted_events AS
        SELECT {LINE}, v,
            CASE WHEN v IS NULL OR NOT regexp_matches({TEXT}, '^\\s*\\{{') THEN
                CASE WHEN json_valid({TEXT}) THEN 'line is not a JSON object' ELSE 'not valid JSON' END
            END AS unparsed
        FROM (SELECT {LINE}, {TEXT}, try(json_extract_string({TEXT}, [{', '.join(literal(p) for p in all_paths)}])) AS v
              FROM event_lines)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE named_events AS
        SELECT {LINE}, unparsed,
            {', '.join(f"{expr} AS {name}" for name, expr in fields.items())},
            TRY_CAST({fields['timestamp']} AS TIMESTAMPTZ) AS parsed_timestamp
        FROM extracted_events"""
    )
    con.execute("DROP TABLE extracted_events")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE parsed_events AS
        SELECT {LINE}, message_id, lower(type) AS type, event, name, anonymous_id, user_id, previous_id,
            parsed_timestamp AS timestamp, ip, user_agent, page_url, page_path, page_title, referrer,
            {', '.join(f"{expr} AS {k}" for k, expr in utm.items())},
            {query_param('page_url', 'mc_eid')} AS mc_eid,
            traits_email, traits_first_name, traits_last_name, traits_phone, properties,
            coalesce(unparsed, concat_ws('; ',
                CASE WHEN message_id IS NULL THEN 'missing messageId' END,
                CASE WHEN type IS NULL THEN 'missing type'
                     WHEN lower(type) NOT IN ({known}) THEN 'unknown event type' END,
                CASE WHEN timestamp IS NULL THEN 'missing timestamp'
                     WHEN parsed_timestamp IS NULL THEN 'invalid timestamp' END,
                CASE WHEN anonymous_id IS NULL AND user_id IS NULL THEN 'missing anonymousId and userId' END,
                CASE WHEN lower(type) = 'track' AND event IS NULL THEN 'track call without event name' END
            )) AS _reason
        FROM named_events"""
    )
    good = con.sql(
        f"SELECT * EXCLUDE ({LINE}, _reason), {literal(source_file)} AS _source_file, {LINE} AS _source_line,"
        f" {literal(file_hash)} AS _file_hash FROM parsed_events WHERE _reason = ''"
    ).to_arrow_table()
    good = good.add_column(
        good.column_names.index("traits_email") + 1,
        "traits_email_normalized",
        normalize_emails(good.column("traits_email")),
    )
    rejects = line_rejects(con, "parsed_events", "event_lines")
    return FileResult(data=good, rejects=rejects).fail_if_all_rejected(source_file, "not valid JSON", "valid JSON")
