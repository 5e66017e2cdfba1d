"""Segment-spec tracking events (JSON lines, JSON arrays, Segment's S3/GCS archive objects) to `raw_web.events`.

Every identify trait is kept as JSON (`traits`); Segment's reserved traits
(https://segment.com/docs/connections/spec/identify/#traits) are also mapped to columns.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.emails import normalize_emails
from ingestion.json_reader import TEXT, json_array_as_lines, line_rejects, load_lines
from ingestion.landing import MAX_LINE_BYTES, physical_lines, starts_with_bom
from ingestion.outcomes import FileResult
from ingestion.records import LINE
from ingestion.typed_rows import ident, literal

EVENT_TYPES = ("identify", "track", "page", "screen", "alias", "group")


def _trait(path: str) -> tuple[str, str]:
    """An identify trait's paths: on the call itself, else in its context (Segment allows both)."""
    return (f"$.traits.{path}", f"$.context.traits.{path}")


# output column -> JSON paths tried in order (struct fields for the whole-file reader; one
# json_extract call per line, with every path, for the line-by-line reader)
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
    "traits_email": _trait("email"),
    "traits_first_name": _trait("firstName"),
    "traits_last_name": _trait("lastName"),
    "traits_name": _trait("name"),
    "traits_phone": _trait("phone"),
    "traits_birthday": _trait("birthday"),
    "traits_street": _trait("address.street"),
    "traits_city": _trait("address.city"),
    "traits_postal_code": _trait("address.postalCode"),
    "traits_state": _trait("address.state"),
    "traits_country": _trait("address.country"),
    # `company` is a string or an object with a name
    "traits_company": (
        "$.traits.company.name",
        "$.traits.company",
        "$.context.traits.company.name",
        "$.context.traits.company",
    ),
    "traits": ("$.traits", "$.context.traits"),
    "properties": ("$.properties",),
    # Segment Consent Management: {"<categoryId>": true|false, ...}, kept as JSON text (marts.customer_consent)
    "consent_preferences": ("$.context.consent.categoryPreferences",),
}
# objects kept whole as JSON (their fields are read from the JSON, whatever shape they have)
JSON_OBJECTS = (("properties",), ("traits",), ("context", "traits"))


def query_param(url_sql: str, name: str) -> str:
    """SQL for one decoded query-string parameter of a URL (NULL when absent).

    The `contains` guard skips the regex on URLs without the parameter (most of them).
    """
    return (
        f"CASE WHEN contains({url_sql}, '{name}=')"
        f" THEN NULLIF(url_decode(regexp_extract({url_sql}, '[?&]{name}=([^&#]*)', 1)), '') END"
    )


def parse_events(con: duckdb.DuckDBPyConnection, path: Path, text: str, source_file: str, file_hash: str) -> FileResult:
    """A file of events: JSON lines, or one JSON array (its n-th element counts as line n).

    Every event is read, typed and judged in one streaming query straight to Arrow (no temp
    table in between); refused lines are split off in Arrow and their raw text is read only then.
    """
    array = json_array_as_lines(path, text)
    events = None if array is not None else _read_whole_file(con, path, text, source_file, file_hash)
    whole_file = events is not None
    if events is None:
        load_lines(con, path, array if array is not None else text, "event_lines", from_text=array is not None)
        _read_line_by_line(con)
        events = con.sql(_judged("named_events", source_file, file_hash)).to_arrow_table()
    accepted = pc.equal(events.column("_reason"), "")
    refused = events.num_rows - pc.sum(accepted).as_py() if events.num_rows else 0
    good = (events.filter(accepted) if refused else events).drop_columns(["_reason", "_empty"])
    good = good.add_column(
        good.column_names.index("traits_email") + 1,
        "traits_email_normalized",
        normalize_emails(good.column("traits_email")),
    )
    rejects = []
    if refused:
        if whole_file:  # the raw text of refused lines is only needed (and read) now
            load_lines(con, path, text, "event_lines")
        lines = events.filter(pc.invert(accepted)).select(["_source_line", "_reason"]).rename_columns([LINE, "_reason"])
        con.register("refused_events", lines)
        rejects = line_rejects(con, "refused_events", "event_lines")
        con.unregister("refused_events")
    return FileResult(data=good, rejects=rejects).fail_if_all_rejected(source_file, "not valid JSON", "valid JSON")


def _judged(named: str, source_file: str, file_hash: str) -> str:
    """SQL over the named fields of `named`: the raw table's columns, lineage, and `_reason` ('' = accepted)."""
    # CASE, not coalesce: DuckDB evaluates every coalesce argument, and the URL fallback is a regex
    utm = {
        k: f"CASE WHEN {k} IS NULL THEN {query_param('page_url', k)} ELSE {k} END"
        for k in PATHS
        if k.startswith("utm_")
    }
    known = ", ".join(literal(t) for t in EVENT_TYPES)
    return f"""SELECT message_id, lower(type) AS type, event, name, anonymous_id, user_id, previous_id,
            parsed_timestamp AS timestamp, ip, user_agent, page_url, page_path, page_title, referrer,
            {", ".join(f"{expr} AS {k}" for k, expr in utm.items())},
            {query_param("page_url", "mc_eid")} AS mc_eid,
            traits_email,
            -- Segment's own split of `name` (analytics.js facade): first word, then the rest
            coalesce(traits_first_name, NULLIF(split_part(trim(traits_name), ' ', 1), '')) AS traits_first_name,
            coalesce(traits_last_name, NULLIF(trim(substr(trim(traits_name), length(split_part(trim(traits_name), ' ', 1)) + 1)), ''))
                AS traits_last_name,
            traits_name, traits_phone, traits_birthday, traits_street, traits_city, traits_postal_code, traits_state,
            traits_country, CASE WHEN NOT starts_with(ltrim(traits_company), '{{') THEN traits_company END AS traits_company,
            traits, properties,
            json(consent_preferences)::VARCHAR AS consent_preferences,
            {literal(source_file)} AS _source_file, {LINE} AS _source_line, {literal(file_hash)} AS _file_hash,
            coalesce(unparsed, concat_ws('; ',
                CASE WHEN message_id IS NULL THEN 'missing messageId' END,
                CASE WHEN type IS NULL THEN 'missing type'
                     WHEN lower(type) NOT IN ({known}) THEN 'unknown event type' END,
                CASE WHEN timestamp IS NULL THEN 'missing timestamp'
                     WHEN parsed_timestamp IS NULL THEN 'invalid timestamp' END,
                CASE WHEN anonymous_id IS NULL AND user_id IS NULL THEN 'missing anonymousId and userId' END,
                CASE WHEN lower(type) = 'track' AND event IS NULL THEN 'track call without event name' END
            )) AS _reason, _empty
        FROM {named}"""


def _read_whole_file(
    con: duckdb.DuckDBPyConnection, path: Path, text: str, source_file: str, file_hash: str
) -> pa.Table | None:
    """Fast path: DuckDB's JSON reader over the whole file, judged (`_judged`) on the way to Arrow.

    Kept only when record n is line n and every line was an object: the reader raises on a
    malformed line, a non-object, a repeated key or a field of an unexpected shape; it skips
    blank lines (fewer records than lines) and reads a `null` line as an empty row. Then
    (None) the line-by-line path takes over, which refuses exactly those lines. Both paths yield
    the same columns and values.
    """
    if starts_with_bom(path):
        return None
    paths = {name: [p.split(".")[1:] for p in options] for name, options in PATHS.items()}
    columns = {
        key: _struct_type(
            [parts[1:] for options in paths.values() for parts in options if parts[0] == key and len(parts) > 1], (key,)
        )
        for key in dict.fromkeys(parts[0] for options in paths.values() for parts in options)
    }
    fields = {name: f"coalesce({', '.join(_field(parts) for parts in options)})" for name, options in paths.items()}
    named = f"""(SELECT {LINE}, NULL::VARCHAR AS unparsed,
                {", ".join(f"{expr} AS {name}" for name, expr in fields.items())},
                TRY_CAST({fields["timestamp"]} AS TIMESTAMPTZ) AS parsed_timestamp,
                {" AND ".join(f"{ident(key)} IS NULL" for key in columns)} AS _empty
            FROM (SELECT row_number() OVER () AS {LINE}, * FROM read_json({literal(str(path))}, format='newline_delimited',
                  records=true, columns={_struct_literal(columns)}, maximum_object_size={MAX_LINE_BYTES})))"""
    try:
        events = con.sql(_judged(named, source_file, file_hash)).to_arrow_table()
    except duckdb.Error:
        return None
    if events.num_rows != physical_lines(text) or pc.any(events.column("_empty")).as_py():
        return None
    return events


def _read_line_by_line(con: duckdb.DuckDBPyConnection) -> None:
    """Slow path: each line of `event_lines` parsed on its own, so one bad line refuses only itself."""
    all_paths = [p for paths in PATHS.values() for p in paths]
    position = {p: i + 1 for i, p in enumerate(all_paths)}
    fields = {name: f"coalesce({', '.join(f'v[{position[p]}]' for p in paths)})" for name, paths in PATHS.items()}
    # each step is its own table: as CTEs DuckDB would re-evaluate the JSON extraction (and
    # every field) once per reference, which made parsing several times slower
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE extracted_events AS
        SELECT {LINE}, v,
            CASE WHEN v IS NULL OR NOT regexp_matches({TEXT}, '^\\s*\\{{') THEN
                CASE WHEN json_valid({TEXT}) THEN 'line is not a JSON object' ELSE 'not valid JSON' END
            END AS unparsed
        FROM (SELECT {LINE}, {TEXT}, try(json_extract_string({TEXT}, [{", ".join(literal(p) for p in all_paths)}])) AS v
              FROM event_lines)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE named_events AS
        SELECT {LINE}, unparsed,
            {", ".join(f"{expr} AS {name}" for name, expr in fields.items())},
            TRY_CAST({fields["timestamp"]} AS TIMESTAMPTZ) AS parsed_timestamp, false AS _empty
        FROM extracted_events"""
    )
    con.execute("DROP TABLE extracted_events")


def _struct_type(children: list[list[str]], at: tuple[str, ...]) -> str:
    """DuckDB type for the object at path `at` holding `children` paths (VARCHAR for a leaf, JSON for JSON_OBJECTS)."""
    if at in JSON_OBJECTS:
        return "JSON"
    if not children:
        return "VARCHAR"
    keys = dict.fromkeys(c[0] for c in children)
    inner = {k: _struct_type([c[1:] for c in children if c[0] == k and len(c) > 1], (*at, k)) for k in keys}
    return "STRUCT(" + ", ".join(f"{ident(k)} {t}" for k, t in inner.items()) + ")"


def _struct_literal(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"{literal(k)}: {literal(t)}" for k, t in columns.items()) + "}"


def _field(parts: list[str]) -> str:
    """SQL reading one JSON path from the typed columns; JSON_OBJECTS stay JSON, so their fields are extracted."""
    for size in range(len(parts), 0, -1):
        if tuple(parts[:size]) in JSON_OBJECTS:
            column = ".".join(ident(p) for p in parts[:size])
            rest = parts[size:]
            return f"json_extract_string({column}, {literal('$.' + '.'.join(rest))})" if rest else f"{column}::VARCHAR"
    return ".".join(ident(p) for p in parts)
