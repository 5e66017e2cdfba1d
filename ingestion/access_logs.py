"""Web-server access logs (nginx/Apache combined format, optional trailing cookie field) to `raw_web.access_log`."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.json_reader import TEXT, line_rejects, load_lines
from ingestion.outcomes import FileResult
from ingestion.records import LINE
from ingestion.typed_rows import literal
from ingestion.web_events import query_param

QUOTED = r'"((?:[^"\\]|\\.)*)"'
COMBINED = (
    r"^(\S+) \S+ (\S+) \[([^\]]+)\] " + QUOTED + r" (\d{3}) (\d+|-) " + QUOTED + " " + QUOTED
    + r"(?: " + QUOTED + r")?\s*$"
)
PARTS = ("ip", "remote_user", "time", "request", "status", "bytes", "referrer", "user_agent", "cookie")
_TEXT = pa.string()
# raw_web.access_log: created with these columns before the first log file lands, so models can read it
ACCESS_LOG_SCHEMA = pa.schema([
    ("ip", _TEXT), ("remote_user", _TEXT), ("requested_at", pa.timestamp("us", tz="UTC")), ("method", _TEXT),
    ("path", _TEXT), ("query", _TEXT), ("protocol", _TEXT), ("status", pa.int32()), ("bytes", pa.int64()),
    ("referrer", _TEXT), ("user_agent", _TEXT), ("utm_source", _TEXT), ("utm_medium", _TEXT),
    ("utm_campaign", _TEXT), ("utm_term", _TEXT), ("utm_content", _TEXT), ("mc_eid", _TEXT), ("visitor_id", _TEXT),
    ("_source_file", _TEXT), ("_source_line", pa.int64()), ("_file_hash", _TEXT),
])
# cookies that carry a visitor id (Segment's analytics.js id first: it joins logs to tracked events)
VISITOR_COOKIES = ("ajs_anonymous_id", "visitor_id", "_c360_vid", "uid")


def parse_access_log(
    con: duckdb.DuckDBPyConnection, path: Path, text: str, source_file: str, file_hash: str
) -> FileResult:
    load_lines(con, path, text, "log_lines")
    cookie_names = "|".join(VISITOR_COOKIES)
    # steps are tables, not CTEs, so each regex runs once per line rather than once per reference
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE matched_log AS
        SELECT {LINE}, regexp_matches({TEXT}, {literal(COMBINED)}) AS ok,
            regexp_extract({TEXT}, {literal(COMBINED)}, [{', '.join(literal(p) for p in PARTS)}]) AS m
        FROM log_lines"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE split_log AS
        SELECT {LINE}, ok, m,
            NULLIF(regexp_extract(m.request, '^(\\S+) ', 1), '') AS method,
            NULLIF(regexp_extract(m.request, '^\\S+ (\\S+)', 1), '') AS target,
            NULLIF(regexp_extract(m.request, ' (\\S+)$', 1), '') AS protocol,
            try_strptime(m.time, '%d/%b/%Y:%H:%M:%S %z') AS requested_at
        FROM matched_log"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE parsed_log AS
        SELECT {LINE},
            m.ip AS ip, NULLIF(m.remote_user, '-') AS remote_user, requested_at, method,
            NULLIF(regexp_extract(target, '^([^?#]*)', 1), '') AS path,
            NULLIF(regexp_extract(target, '\\?([^#]*)', 1), '') AS query,
            protocol,
            TRY_CAST(m.status AS INTEGER) AS status,
            TRY_CAST(NULLIF(m.bytes, '-') AS BIGINT) AS bytes,
            NULLIF(m.referrer, '-') AS referrer,
            NULLIF(m.user_agent, '-') AS user_agent,
            {', '.join(f"{query_param('target', k)} AS {k}" for k in ('utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'mc_eid'))},
            CASE WHEN m.cookie IN ('', '-') THEN NULL
                 WHEN NOT contains(m.cookie, '=') THEN m.cookie
                 ELSE NULLIF(trim(url_decode(regexp_extract(m.cookie, '(?:^|[;\\s])(?:{cookie_names})=([^;]*)', 1)), '"'), '')
            END AS visitor_id,
            CASE WHEN NOT ok THEN 'not a combined-format log line'
                 WHEN requested_at IS NULL THEN 'invalid timestamp' ELSE '' END AS _reason
        FROM split_log"""
    )
    good = con.sql(
        f"SELECT * EXCLUDE ({LINE}, _reason), {literal(source_file)} AS _source_file, {LINE} AS _source_line,"
        f" {literal(file_hash)} AS _file_hash FROM parsed_log WHERE _reason = ''"
    ).to_arrow_table().cast(ACCESS_LOG_SCHEMA)
    return FileResult(data=good, rejects=line_rejects(con, "parsed_log", "log_lines")).fail_if_all_rejected(
        source_file, "not a combined-format log line", "in the combined access-log format"
    )
