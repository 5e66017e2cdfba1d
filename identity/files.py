"""Resolve arbitrary person CSVs (not produced by c360): the same normalisation, a model learnt
from the input itself.

One file deduplicates; two or more files are linked (and deduplicated, unless `link_only`). A
column mapping tells which header holds which attribute, so foreign exports need no reshaping.
Every value that cannot be normalised is counted per file and field in normalisation_report.csv.
"""

from __future__ import annotations

import csv
import json
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from splink.internals.exceptions import EMTrainingException

from c360.errors import UserError
from identity.clusters import cluster_records
from identity.config import IdentityConfig, load_identity_config
from identity.dates import read_dates
from identity.deterministic import build_deterministic_edges, shared_value_edges_sql
from identity.file_evaluation import evaluate_resolved
from identity.model import (
    PHONETIC_LAST_NAME,
    id_column,
    model_settings,
    register_table,
    splink_session,
)
from identity.normalisation_report import REPORT_COLUMNS, normalisation_report
from identity.normalise import build_phonetic_lookup, install_normalisers
from identity.probabilistic import score_pairs
from identity.records import RECORD_COLUMNS, build_records
from identity.train import estimate_model

logger = logging.getLogger(__name__)

MAPPABLE_FIELDS = (
    "record_id",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "dob",
    "street_number",
    "street",
    "address_2",
    "city",
    "postcode",
    "state",
    "country",
    "extra_id",
)
ID_PREFIX = "id:"  # id:NAME=HEADER, any number of them; extra_id=HEADER is id:extra_id
_ADDRESS_PARTS = ("street_number", "street", "address_2")
_PLACES = ("state", "country")


class ResolveInputError(UserError, ValueError):
    """A user mistake in the files or the mapping; the message is one line that says how to fix it."""


@dataclass(frozen=True)
class ResolveOptions:
    threshold: float | None = None  # None: config match_threshold
    link_only: bool = False  # never join two records of the same file
    one_to_one: bool = False  # at most one partner per record in each other file (implies link_only)
    model_path: Path | None = None  # None: estimate on the input, committed model if it is too small
    date_format: str | None = None  # None: detect per file
    truth: Path | None = None  # CSV (record_id, entity_id): also report precision, recall, blocking recall


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def id_names(mapping: dict[str, str]) -> list[str]:
    return sorted(f.removeprefix(ID_PREFIX) for f in _ids(mapping))


def _ids(mapping: dict[str, str]) -> dict[str, str]:
    """{id field: header}; extra_id is the id named extra_id."""
    return {
        (f if f.startswith(ID_PREFIX) else ID_PREFIX + f): h
        for f, h in mapping.items()
        if f.startswith(ID_PREFIX) or f == "extra_id"
    }


def _check_mapping(path: Path, mapping: dict[str, str], headers: list[str]) -> None:
    unknown = sorted(f for f in mapping if f not in MAPPABLE_FIELDS and not f.startswith(ID_PREFIX))
    if unknown:
        raise ResolveInputError(
            f"unknown mapping fields {unknown}; use some of {', '.join(MAPPABLE_FIELDS)} or {ID_PREFIX}NAME"
        )
    if "record_id" not in mapping:
        raise ResolveInputError("the mapping must name the record_id column")
    missing = [f"{field}={header}" for field, header in mapping.items() if header not in headers]
    if missing:
        raise ResolveInputError(
            f"{path}: no column for {', '.join(missing)}; the file's headers are: {', '.join(headers)}"
        )


def _source_labels(paths: list[Path]) -> list[str]:
    stems = [p.stem for p in paths]
    return stems if len(set(stems)) == len(stems) else [f"file{i + 1}" for i in range(len(paths))]


def _read_csv(path: Path) -> str:
    return f"read_csv({_literal(str(path))}, header = true, all_varchar = true)"


def _staging_select(path: Path, source: str, mapping: dict[str, str], ids: list[str]) -> str:
    """Map one CSV's headers onto the staged columns; a full name splits into first and last,
    street number, street and address line 2 join into one street."""

    def col(field: str) -> str:
        return f"nullif(trim({_quote(mapping[field])}), '')" if field in mapping else "NULL"

    first, last = col("first_name"), col("last_name")
    if "full_name" in mapping:
        full = col("full_name")
        # "Last, First" or "First [Middle] Last"
        first = (
            f"coalesce({first}, CASE WHEN contains({full}, ',') THEN trim(split_part({full}, ',', 2)) "
            f"ELSE split_part({full}, ' ', 1) END)"
        )
        last = (
            f"coalesce({last}, CASE WHEN contains({full}, ',') THEN trim(split_part({full}, ',', 1)) "
            f"ELSE nullif(regexp_extract({full}, '\\s(\\S+)$', 1), '') END)"
        )
    street = f"nullif(concat_ws(' ', {', '.join(col(part) for part in _ADDRESS_PARTS)}), '')"
    values = {
        "source": _literal(source),
        "source_record_id": col("record_id"),
        "first_name": first,
        "last_name": last,
        "street": street,
        **{f: col(f) for f in ("email", "phone", "city", "postcode", "dob")},
    }
    file_ids = {name: f"nullif(trim({_quote(header)}), '')" for name, header in _ids(mapping).items()}
    extra = [
        *(f"{col(f)} AS {f}" for f in _PLACES),
        f"{col('dob')} AS dob_given",
        *(f"{file_ids.get(ID_PREFIX + name, 'NULL')} AS {id_column(name)}" for name in ids),
    ]
    select = ", ".join(f"{values[c]} AS {c}" for c in RECORD_COLUMNS)
    return f"SELECT {select}, NULL AS additional_emails, {', '.join(extra)} FROM {_read_csv(path)}"


def _headers(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    if not path.is_file():
        raise ResolveInputError(f"{path}: no such file")
    try:
        return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {_read_csv(path)}").fetchall()]
    except duckdb.Error as exc:
        raise ResolveInputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc


def _mapped_fields(mappings: list[dict[str, str]]) -> tuple[str, ...]:
    """The record columns the model may compare: those at least one file fills."""
    named = set().union(*mappings)
    fields = {
        f for f in ("first_name", "last_name", "email", "phone", "dob", "city", "postcode", *_PLACES) if f in named
    }
    if "full_name" in named:
        fields |= {"first_name", "last_name"}
    if named & set(_ADDRESS_PARTS):
        fields.add("street")
    return tuple(sorted(fields))


def _report_fields(fields: tuple[str, ...], ids: list[str]) -> list[tuple[str, str, str]]:
    """(field, staged column, record column): dates are counted from the value as given."""
    return [
        *((f, "dob_given" if f == "dob" else f, f) for f in fields),
        *((f"{ID_PREFIX}{name}", id_column(name), id_column(name)) for name in ids),
    ]


def _stage(
    con: duckdb.DuckDBPyConnection,
    inputs: list[Path],
    mappings: list[dict[str, str]],
    ids: list[str],
    date_format: str | None,
) -> dict[str, str]:
    """Stage every file, dates rewritten as ISO text; returns each file's date reading."""
    sources = _source_labels(inputs)
    union = " UNION ALL ".join(
        _staging_select(path, source, m, ids) for path, source, m in zip(inputs, sources, mappings)
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE c360_staged_records AS {union}")
    duplicates = con.execute(
        "SELECT count(*) - count(DISTINCT (source, source_record_id)) FROM c360_staged_records"
    ).fetchone()[0]
    if duplicates:
        raise ResolveInputError(f"{duplicates} rows repeat a record id within their file")
    install_normalisers(con)
    notes = {}
    for source in sources:
        reading = read_dates(con, f"SELECT dob FROM c360_staged_records WHERE source = {_literal(source)}", date_format)
        con.execute(
            f"UPDATE c360_staged_records SET dob = CAST({reading.sql('dob')} AS VARCHAR) "
            f"WHERE source = {_literal(source)}"
        )
        notes[source] = reading.note()
    return notes


def _normalise_ids_sql(ids: list[str]) -> dict[str, str]:
    """Ids compare without spaces, dashes or case: '123-45 678' is '12345678'."""
    return {
        id_column(name): f"nullif(regexp_replace(upper(s.{id_column(name)}), '[^A-Z0-9]', '', 'g'), '')" for name in ids
    }


def _add_phonetic_last_name(con: duckdb.DuckDBPyConnection) -> None:
    build_phonetic_lookup(con, "SELECT last_name FROM identity.records", "c360_phonetic_lookup")
    con.execute(f"""
        CREATE OR REPLACE TABLE identity.records AS
        SELECT r.*, p.phonetic AS {PHONETIC_LAST_NAME}
        FROM identity.records r LEFT JOIN c360_phonetic_lookup p ON p.name = r.last_name
        ORDER BY r.unique_id
    """)


def _choose_model(
    con: duckdb.DuckDBPyConnection,
    records: int,
    fields: tuple[str, ...],
    ids: list[str],
    config: IdentityConfig,
    options: ResolveOptions,
    link_type: str,
) -> tuple[Path | dict, dict]:
    """The model to score with and a note saying which one and why."""
    if options.model_path is not None:
        if not options.model_path.is_file():
            raise ResolveInputError(f"{options.model_path}: no such model file")
        return options.model_path, {"model": str(options.model_path), "why": "given with --model"}
    committed = {"model": str(config.model_path)}
    if records < config.min_records_to_train:
        return config.model_path, {
            **committed,
            "why": f"{records} records are too few to estimate a model on (fewer than {config.min_records_to_train})",
        }
    model_fields = (*fields, PHONETIC_LAST_NAME) if "last_name" in fields else fields
    with splink_session(con) as db_api:
        try:
            model, fixes = estimate_model(
                register_table(db_api, "identity.records", "records"),
                config,
                model_fields,
                tuple(ids),
                link_type,
                u_max_pairs=config.input_u_max_pairs,
            )
        except (EMTrainingException, ValueError) as exc:
            return config.model_path, {**committed, "why": f"could not estimate a model on the input: {exc}"}
    return model, {"model": "estimated on the input", "why": "default", "level_order_fixes": fixes}


def _settings(model: Path | dict) -> dict:
    return model_settings(model, "duckdb")


def _blocking_rules(model: Path | dict) -> list[str]:
    return [rule["blocking_rule"] for rule in _settings(model)["blocking_rules_to_generate_predictions"]]


def _compared(model: Path | dict) -> set[str]:
    return {comparison["output_column_name"] for comparison in _settings(model)["comparisons"]}


def _one_to_one(con: duckdb.DuckDBPyConnection) -> None:
    """Keep a cross-file edge only when each end is the other's most likely partner in that file."""
    con.execute("""
        CREATE OR REPLACE TABLE identity.edges AS
        WITH directed AS (
            SELECT e.*, e.unique_id_l AS node, e.unique_id_r AS partner FROM identity.edges e
            UNION ALL SELECT e.*, e.unique_id_r, e.unique_id_l FROM identity.edges e
        ), ranked AS (
            SELECT d.*, row_number() OVER (PARTITION BY d.node, p.source
                                           ORDER BY d.match_probability DESC, d.partner) AS rank
            FROM directed d JOIN identity.records p ON p.unique_id = d.partner
        )
        SELECT unique_id_l, unique_id_r, kind, match_probability FROM ranked
        GROUP BY ALL HAVING max(rank) = 1 AND count(*) = 2
    """)


def _edges(con: duckdb.DuckDBPyConnection, options: ResolveOptions) -> None:
    """Both edge kinds in identity.edges; deterministic edges carry probability 1 for ranking only."""
    cross_file = """
        JOIN identity.records l ON l.unique_id = e.unique_id_l
        JOIN identity.records r ON r.unique_id = e.unique_id_r AND r.source <> l.source"""
    con.execute(f"""
        CREATE OR REPLACE TABLE identity.edges AS
        SELECT e.unique_id_l, e.unique_id_r, e.kind, e.match_probability FROM (
            SELECT unique_id_l, unique_id_r, kind, 1.0::DOUBLE AS match_probability
            FROM identity.deterministic_edges
            UNION ALL SELECT unique_id_l, unique_id_r, 'splink', match_probability FROM identity.scored_pairs
        ) e {cross_file if options.link_only or options.one_to_one else ""}
        QUALIFY row_number() OVER (PARTITION BY e.unique_id_l, e.unique_id_r
                                   ORDER BY e.kind = 'splink', e.kind) = 1
    """)
    if options.one_to_one:
        _one_to_one(con)


def _write_outputs(con: duckdb.DuckDBPyConnection, out_dir: Path, linking: bool, report: list[dict]) -> dict[str, str]:
    source_col = ", source" if linking else ""
    paths = {name: out_dir / f"{name}.csv" for name in ("clusters", "pairs", "normalisation_report")}
    con.execute(f"""
        COPY (SELECT source_record_id AS record_id, cluster_id{source_col}
              FROM identity.clusters ORDER BY source, source_record_id)
        TO {_literal(str(paths["clusters"]))} (HEADER, DELIMITER ',')
    """)
    pair_sources = ", l.source AS source_l, r.source AS source_r" if linking else ""
    con.execute(f"""
        COPY (SELECT l.source_record_id AS record_id_l, r.source_record_id AS record_id_r, e.kind,
                     CASE WHEN e.kind = 'splink' THEN round(e.match_probability, 6) END AS match_probability
                     {pair_sources}
              FROM identity.edges e
              JOIN identity.records l ON l.unique_id = e.unique_id_l
              JOIN identity.records r ON r.unique_id = e.unique_id_r
              ORDER BY e.unique_id_l, e.unique_id_r)
        TO {_literal(str(paths["pairs"]))} (HEADER, DELIMITER ',')
    """)
    with paths["normalisation_report"].open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(report)
    return {f"{name}_csv": str(path) for name, path in paths.items()}


def resolve_files(
    inputs: list[Path],
    mapping: dict[str, str] | list[dict[str, str]],
    out_dir: Path,
    config: IdentityConfig | None = None,
    options: ResolveOptions | None = None,
) -> dict:
    """Write clusters.csv (record_id, cluster_id[, source]), pairs.csv (every edge that joined two
    records: record_id_l, record_id_r, kind, match_probability[, source_l, source_r]) and
    normalisation_report.csv under `out_dir`; returns counts and which model scored the pairs."""
    if not inputs:
        raise ResolveInputError("give at least one CSV")
    config = config or load_identity_config()
    options = options or ResolveOptions()
    mappings = mapping if isinstance(mapping, list) else [mapping] * len(inputs)
    if len(mappings) != len(inputs):
        raise ResolveInputError("give one mapping, or one per input file")
    linking = len(inputs) > 1
    if options.threshold is not None and not 0 < options.threshold <= 1:
        raise ResolveInputError(f"--threshold must be a probability in (0, 1], got {options.threshold}")
    if options.truth is not None and not options.truth.is_file():
        raise ResolveInputError(f"{options.truth}: no such truth file")
    if (options.link_only or options.one_to_one) and not linking:
        raise ResolveInputError("--link-only and --one-to-one need two or more files")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect(str(Path(scratch) / "resolve.duckdb")) as con:
        for path, file_mapping in zip(inputs, mappings):
            _check_mapping(path, file_mapping, _headers(con, path))
        ids = sorted(set().union(*(id_names(m) for m in mappings)))
        fields = _mapped_fields(mappings)
        con.execute("CREATE SCHEMA identity")
        date_notes = _stage(con, inputs, mappings, ids, options.date_format)
        records = build_records(
            con,
            "c360_staged_records",
            "identity.records",
            "identity.record_emails",
            config.phone_default_region,
            {**{f: f"c360_text(s.{f})" for f in _PLACES}, **_normalise_ids_sql(ids)},
        )
        report = normalisation_report(
            con,
            "c360_staged_records",
            "identity.records",
            _report_fields(fields, ids),
            {(source, "dob"): note for source, note in date_notes.items()},
        )
        if "last_name" in fields:
            _add_phonetic_last_name(con)
        link_type = "link_only" if options.link_only or options.one_to_one else "dedupe_only"
        model, model_note = _choose_model(con, records, fields, ids, config, options, link_type)
        # an id the model compares is evidence weighed with the rest (a mistyped id can equal another
        # person's); only a model blind to it (the committed one) gets equal ids as deterministic edges
        id_edges = tuple(
            shared_value_edges_sql(
                f"(SELECT unique_id, {id_column(name)} FROM identity.records)", id_column(name), f"{ID_PREFIX}{name}"
            )
            for name in ids
            if id_column(name) not in _compared(model)
        )
        edges = build_deterministic_edges(
            con, "identity.records", "identity.record_emails", "identity.deterministic_edges", id_edges
        )
        threshold = options.threshold if options.threshold is not None else config.match_threshold
        edges["splink"] = score_pairs(
            con, "identity.records", model, threshold, "identity.scored_pairs", config.require_first_name_agreement
        )
        _edges(con, options)
        clusters = cluster_records(con, "identity.records", "identity.edges", "identity.clusters")
        out_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(model, dict):
            (out_dir / "model.json").write_text(json.dumps(model, indent=2) + "\n")
            model_note["saved_to"] = str(out_dir / "model.json")
        written = _write_outputs(con, out_dir, linking, report)
        joined = dict(con.execute("SELECT kind, count(*) FROM identity.edges GROUP BY kind ORDER BY kind").fetchall())
        seconds = round(time.perf_counter() - started, 2)
        evaluation = (
            {
                "evaluation": evaluate_resolved(
                    con, options.truth, _blocking_rules(model), options.link_only or options.one_to_one
                )
            }
            if options.truth
            else {}
        )
    result = {
        "records": records,
        "clusters": clusters,
        "edges": edges,
        "edges_kept": joined,
        "threshold": threshold,
        **model_note,
        **written,
        "normalisation": report,
        "seconds": seconds,
        **evaluation,
    }
    logger.info("resolved %d records into %d clusters in %.1fs", records, clusters, result["seconds"])
    return result
