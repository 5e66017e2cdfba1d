"""Resolve arbitrary person CSVs (not produced by c360) with the same normalisation and model.

One file deduplicates; two or more files are linked and deduplicated together. A column
mapping tells which header holds which attribute, so foreign exports need no reshaping.
"""
from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import duckdb

from identity.clusters import cluster_records
from identity.config import IdentityConfig, load_identity_config
from identity.deterministic import build_deterministic_edges, shared_value_edges_sql
from identity.probabilistic import score_pairs
from identity.records import RECORD_COLUMNS, build_records

logger = logging.getLogger(__name__)

MAPPABLE_FIELDS = ("record_id", "first_name", "last_name", "full_name", "email", "phone", "dob",
                   "street", "city", "postcode", "extra_id")


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _source_labels(paths: list[Path]) -> list[str]:
    stems = [p.stem for p in paths]
    return stems if len(set(stems)) == len(stems) else [f"file{i + 1}" for i in range(len(paths))]


def _staging_select(path: Path, source: str, mapping: dict[str, str]) -> str:
    """Map one CSV's headers onto the record columns; a full name splits into first and last."""
    unknown = set(mapping) - set(MAPPABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown mapping fields {sorted(unknown)}; expected some of {MAPPABLE_FIELDS}")
    if "record_id" not in mapping:
        raise ValueError("the mapping must name the record_id column")

    def col(field: str) -> str:
        return f"nullif(trim({_quote(mapping[field])}), '')" if field in mapping else "NULL"

    first, last = col("first_name"), col("last_name")
    if "full_name" in mapping:
        full = col("full_name")
        # "Last, First" or "First [Middle] Last"
        first = (f"coalesce({first}, CASE WHEN contains({full}, ',') THEN trim(split_part({full}, ',', 2)) "
                 f"ELSE split_part({full}, ' ', 1) END)")
        last = (f"coalesce({last}, CASE WHEN contains({full}, ',') THEN trim(split_part({full}, ',', 1)) "
                f"ELSE nullif(regexp_extract({full}, '\\s(\\S+)$', 1), '') END)")
    values = {"source": f"'{source}'", "source_record_id": col("record_id"), "first_name": first,
              "last_name": last, **{f: col(f) for f in ("email", "phone", "street", "city", "postcode", "dob")}}
    select = ", ".join(f"{values[c]} AS {c}" for c in RECORD_COLUMNS)
    path_sql = str(path).replace("'", "''")
    return (f"SELECT {select}, NULL AS additional_emails, {col('extra_id')} AS extra_id "
            f"FROM read_csv('{path_sql}', header = true, all_varchar = true)")


def resolve_files(
    inputs: list[Path], mapping: dict[str, str] | list[dict[str, str]], out_dir: Path,
    config: IdentityConfig | None = None,
) -> dict:
    """Write clusters.csv (record_id, cluster_id[, source]) and pairs.csv
    (record_id_l, record_id_r, match_probability[, source_l, source_r]) under `out_dir`."""
    if not inputs:
        raise ValueError("give at least one CSV")
    config = config or load_identity_config()
    mappings = mapping if isinstance(mapping, list) else [mapping] * len(inputs)
    if len(mappings) != len(inputs):
        raise ValueError("give one mapping, or one per input file")
    linking = len(inputs) > 1
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect(str(Path(scratch) / "resolve.duckdb")) as con:
        con.execute("CREATE SCHEMA identity")
        union = " UNION ALL ".join(
            _staging_select(path, source, m) for path, source, m in zip(inputs, _source_labels(inputs), mappings))
        con.execute(f"CREATE TEMP TABLE c360_staged_records AS {union}")
        duplicates = con.execute("SELECT count(*) - count(DISTINCT (source, source_record_id)) "
                                 "FROM c360_staged_records").fetchone()[0]
        if duplicates:
            raise ValueError(f"{duplicates} rows repeat a record id within their file")
        records = build_records(con, "c360_staged_records", "identity.records", "identity.record_emails",
                                config.phone_default_region)
        extra_ids = shared_value_edges_sql(
            "(SELECT source || ':' || source_record_id AS unique_id, extra_id FROM c360_staged_records)",
            "extra_id", "extra_id")
        edges = build_deterministic_edges(con, "identity.records", "identity.record_emails",
                                          "identity.deterministic_edges", (extra_ids,))
        edges["splink"] = score_pairs(con, "identity.records", config.model_path, config.match_threshold,
                                      "identity.scored_pairs", config.require_first_name_agreement)
        con.execute("""
            CREATE TABLE identity.edges AS
            SELECT unique_id_l, unique_id_r, 1.0::DOUBLE AS match_probability FROM identity.deterministic_edges
            UNION ALL SELECT unique_id_l, unique_id_r, match_probability FROM identity.scored_pairs
        """)
        clusters = cluster_records(con, "identity.records", "identity.edges", "identity.clusters")
        source_col = ", source" if linking else ""
        clusters_csv, pairs_csv = out_dir / "clusters.csv", out_dir / "pairs.csv"
        con.execute(f"""
            COPY (SELECT source_record_id AS record_id, cluster_id{source_col}
                  FROM identity.clusters ORDER BY source, source_record_id)
            TO '{clusters_csv}' (HEADER, DELIMITER ',')
        """)
        pair_sources = ", l.source AS source_l, r.source AS source_r" if linking else ""
        con.execute(f"""
            COPY (SELECT l.source_record_id AS record_id_l, r.source_record_id AS record_id_r,
                         round(p.match_probability, 6) AS match_probability{pair_sources}
                  FROM identity.scored_pairs p
                  JOIN identity.records l ON l.unique_id = p.unique_id_l
                  JOIN identity.records r ON r.unique_id = p.unique_id_r
                  ORDER BY p.unique_id_l, p.unique_id_r)
            TO '{pairs_csv}' (HEADER, DELIMITER ',')
        """)
    result = {"records": records, "clusters": clusters, "edges": edges, "clusters_csv": str(clusters_csv),
              "pairs_csv": str(pairs_csv), "seconds": round(time.perf_counter() - started, 2)}
    logger.info("resolved files: %s", result)
    return result
