"""Web-server access logs to `raw_web.access_log`: a named format or your own pattern, read rotation-safe.

Formats are regular expressions with named groups in config/sources/access_logs.yml (combined,
common, nginx `main`), chosen per landing folder; a pattern given instead of a name is used as is.

Rotation: a live log grows, is renamed (`access.log.1`, `access.log-20260929`), compressed
(`.2.gz`) and replaced by a new file, so the same lines arrive under several names. Every read
file registers the bytes it read as a prefix (length and SHA-256); a file that starts with a
registered prefix continues after it. So a grown file reads only its new lines, and a rotated or
compressed copy only the lines appended after the last read, whatever its name. Identical lines
that really repeat (two equal requests in one second) are kept, since nothing is compared line
by line. Lines skipped this way are counted as `rows_already_read`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa
import yaml

from ingestion.file_loop import Parser
from ingestion.json_reader import TEXT, line_rejects, load_lines
from ingestion.mapping import MAPPINGS_DIR, MappingError
from ingestion.outcomes import FileResult
from ingestion.records import LINE
from ingestion.typed_rows import literal
from ingestion.web_events import query_param

log = logging.getLogger(__name__)

FORMATS_FILE = MAPPINGS_DIR / "access_logs.yml"
REQUIRED_GROUPS = ("ip", "time", "request", "status")
OPTIONAL_GROUPS = ("remote_user", "bytes", "referrer", "user_agent", "cookie", "forwarded_for")
# default file names: access.log*, Red Hat's access_log*, any *.log, with logrotate's numbered
# (.1, .2.gz) and dateext (-20260929, -20260929.gz) suffixes
ACCESS_LOG_FILES = (
    "access.log*",
    "access_log*",
    "*.log",
    "*.log.gz",
    "*.log.[0-9]*",
    "*.log-[0-9]*",
    "*_log",
    "*_log.[0-9]*",
    "*_log-[0-9]*",
)
_TEXT = pa.string()
# raw_web.access_log: created with these columns before the first log file lands, so models can read it
ACCESS_LOG_SCHEMA = pa.schema(
    [
        ("ip", _TEXT),
        ("remote_user", _TEXT),
        ("requested_at", pa.timestamp("us", tz="UTC")),
        ("method", _TEXT),
        ("path", _TEXT),
        ("query", _TEXT),
        ("protocol", _TEXT),
        ("status", pa.int32()),
        ("bytes", pa.int64()),
        ("referrer", _TEXT),
        ("user_agent", _TEXT),
        ("utm_source", _TEXT),
        ("utm_medium", _TEXT),
        ("utm_campaign", _TEXT),
        ("utm_term", _TEXT),
        ("utm_content", _TEXT),
        ("mc_eid", _TEXT),
        ("visitor_id", _TEXT),
        ("forwarded_for", _TEXT),
        ("_source_file", _TEXT),
        ("_source_line", pa.int64()),
        ("_file_hash", _TEXT),
    ]
)
# cookies that carry a visitor id (Segment's analytics.js id first: it joins logs to tracked events)
VISITOR_COOKIES = ("ajs_anonymous_id", "visitor_id", "_c360_vid", "uid")
HEAD_BYTES = 4096  # registered prefixes are first compared on this many bytes, then in full
STATE_KEY = "log_prefixes"


@dataclass(frozen=True)
class LogFormat:
    name: str
    pattern: str
    groups: tuple[str, ...]  # the name of every capture group, in order


def load_log_format(name_or_pattern: str) -> LogFormat:
    """A format named in config/sources/access_logs.yml, or a pattern with named groups; MappingError if invalid."""
    if "(?P<" in name_or_pattern:
        name, pattern = "custom", name_or_pattern
    else:
        formats = (yaml.safe_load(FORMATS_FILE.read_text()) or {}).get("formats", {})
        if name_or_pattern not in formats:
            raise MappingError(
                f"{FORMATS_FILE}: unknown access-log format {name_or_pattern!r}; expected one of {sorted(formats)}"
                " or a pattern with named groups"
            )
        name, pattern = name_or_pattern, formats[name_or_pattern]
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise MappingError(f"access-log format {name!r}: not a valid pattern ({exc})") from exc
    by_position = {index: group for group, index in compiled.groupindex.items()}
    groups = tuple(by_position.get(i, f"_group{i}") for i in range(1, compiled.groups + 1))
    missing = [g for g in REQUIRED_GROUPS if g not in groups]
    unknown = [g for g in compiled.groupindex if g not in REQUIRED_GROUPS + OPTIONAL_GROUPS]
    if missing or unknown:
        raise MappingError(
            f"access-log format {name!r}: "
            + "; ".join(
                [f"missing group(s) {missing}"] * bool(missing) + [f"unknown group(s) {unknown}"] * bool(unknown)
            )
            + f"; groups are {list(REQUIRED_GROUPS + OPTIONAL_GROUPS)}"
        )
    return LogFormat(name, pattern, groups)


def access_log_parser(log_format: LogFormat) -> Parser:
    """The file parser for `log_format`, reading each file after the prefix already read (see module doc)."""

    def parse(con: duckdb.DuckDBPyConnection, path: Path, text: str, source_file: str, file_hash: str) -> FileResult:
        data = text.encode("utf-8")
        compressed = source_file.lower().endswith(".gz")  # the landed name: `path` may be a decompressed copy
        # a live log may end in a line being written: it is read once complete (a compressed copy is final)
        end = len(data) if compressed else data.rfind(b"\n") + 1
        if end < len(data):
            log.info("%s: %d byte(s) of an unfinished last line left for the next run", source_file, len(data) - end)
        prefixes: list = dlt.current.source_state().setdefault(STATE_KEY, [])
        start, known = _read_before(data, prefixes)
        already_read = _line_count(data[:start])
        if end > start:
            first_line = data[:start].count(b"\n") + 1
            load_lines(con, path, data[start:end].decode("utf-8"), "log_lines", from_text=True, first_line=first_line)
            result = _parse_lines(con, log_format, source_file, file_hash)
            if known is not None:  # the longer prefix replaces the one it extends
                prefixes.remove(known)
            prefixes.append([end, _sha(data[: min(end, HEAD_BYTES)]), _sha(data[:end])])
        else:
            result = FileResult(data=ACCESS_LOG_SCHEMA.empty_table())
        result.already_read = already_read
        return result

    return parse


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _line_count(data: bytes) -> int:
    """Non-empty lines, as `load_lines` counts them."""
    return sum(1 for line in data.split(b"\n") if line.strip(b"\r"))


def _read_before(data: bytes, prefixes: list) -> tuple[int, list | None]:
    """The longest registered prefix `data` starts with, and its length (0 and None when none)."""
    heads: dict[int, str] = {}
    for entry in sorted(prefixes, key=lambda p: -p[0]):
        length, head, full = entry
        if length > len(data) or length == 0:
            continue
        size = min(length, HEAD_BYTES)
        if size not in heads:
            heads[size] = _sha(data[:size])
        if heads[size] == head and _sha(data[:length]) == full:
            return length, entry
    return 0, None


def _parse_lines(con: duckdb.DuckDBPyConnection, log_format: LogFormat, source_file: str, file_hash: str) -> FileResult:
    cookie_names = "|".join(VISITOR_COOKIES)
    pattern = literal(log_format.pattern)

    def group(name: str) -> str:
        return f"m.{name}" if name in log_format.groups else "NULL::VARCHAR"

    # steps are tables, not CTEs, so each regex runs once per line rather than once per reference
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE matched_log AS
        SELECT {LINE}, regexp_matches({TEXT}, {pattern}) AS ok,
            regexp_extract({TEXT}, {pattern}, [{", ".join(literal(g) for g in log_format.groups)}]) AS m
        FROM log_lines"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE split_log AS
        SELECT {LINE}, ok, {", ".join(f'{group(g)} AS "{g}"' for g in REQUIRED_GROUPS + OPTIONAL_GROUPS)},
            NULLIF(regexp_extract(m.request, '^(\\S+) ', 1), '') AS method,
            NULLIF(regexp_extract(m.request, '^\\S+ (\\S+)', 1), '') AS target,
            NULLIF(regexp_extract(m.request, ' (\\S+)$', 1), '') AS protocol,
            coalesce(try_strptime(m.time, '%d/%b/%Y:%H:%M:%S %z'), TRY_CAST(m.time AS TIMESTAMPTZ)) AS requested_at
        FROM matched_log"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE parsed_log AS
        SELECT {LINE},
            ip, NULLIF(remote_user, '-') AS remote_user, requested_at, method,
            NULLIF(regexp_extract(target, '^([^?#]*)', 1), '') AS path,
            NULLIF(regexp_extract(target, '\\?([^#]*)', 1), '') AS query,
            protocol,
            TRY_CAST(status AS INTEGER) AS status,
            TRY_CAST(NULLIF(bytes, '-') AS BIGINT) AS bytes,
            NULLIF(referrer, '-') AS referrer,
            NULLIF(user_agent, '-') AS user_agent,
            {", ".join(f"{query_param('target', k)} AS {k}" for k in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "mc_eid"))},
            -- a visitor id comes from a named cookie, or a bare cookie value; an address list never is one
            CASE WHEN cookie IS NULL OR cookie IN ('', '-') THEN NULL
                 WHEN NOT contains(cookie, '=') THEN
                     CASE WHEN NOT regexp_matches(cookie, '^[0-9A-Fa-f.:,\\s]+$') THEN cookie END
                 ELSE NULLIF(trim(url_decode(regexp_extract(cookie, '(?:^|[;\\s])(?:{cookie_names})=([^;]*)', 1)), '"'), '')
            END AS visitor_id,
            NULLIF(NULLIF(forwarded_for, '-'), '') AS forwarded_for,
            CASE WHEN NOT ok THEN {literal(_refusal(log_format))}
                 WHEN requested_at IS NULL THEN 'invalid timestamp' ELSE '' END AS _reason
        FROM split_log"""
    )
    good = (
        con.sql(
            f"SELECT * EXCLUDE ({LINE}, _reason), {literal(source_file)} AS _source_file, {LINE} AS _source_line,"
            f" {literal(file_hash)} AS _file_hash FROM parsed_log WHERE _reason = ''"
        )
        .to_arrow_table()
        .cast(ACCESS_LOG_SCHEMA)
    )
    return FileResult(data=good, rejects=line_rejects(con, "parsed_log", "log_lines")).fail_if_all_rejected(
        source_file, _refusal(log_format), f"in the {log_format.name} access-log format"
    )


def _refusal(log_format: LogFormat) -> str:
    return f"not a {log_format.name}-format log line"
