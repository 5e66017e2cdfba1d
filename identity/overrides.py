"""Manual corrections to the customer graph: must-link and cannot-link record pairs from YAML.

A data steward who knows better than the model writes pairs of records (`SOURCE:ID`) into the
overrides file (`overrides_path` in config/identity.yml). They are applied to the edges before
every clustering, so they survive reruns: a must-link adds an edge of kind `override`; a
cannot-link removes the weakest set of edges that keeps the two records apart (a minimum cut,
edges weighted by match weight, deterministic edges far heavier than any score, override edges
never cut). Every override is reported in identity.override_report, and one that cannot be
applied (a record that does not exist, a cannot-link that must-links hold together) is named.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import networkx as nx
import pyarrow as pa
import yaml

from identity.records import SOURCES
from identity.warehouse import create_table, drop_temporary, replace_rows

logger = logging.getLogger(__name__)

OVERRIDE_REPORT = "identity.override_report"
OVERRIDE_CUTS = "identity.override_cuts"
KINDS = ("must_link", "cannot_link")
REPORT_COLUMNS = ("kind", "record_l", "record_r", "status", "detail")

# A deterministic edge is a fact; cut one only when no scored path is left to cut.
DETERMINISTIC_CAPACITY = 1e6
# log2 odds of the strongest probability a double can tell apart from 1.0
MAX_SCORE_CAPACITY = 60.0


class OverridesError(ValueError):
    """The overrides file is invalid; the message names the file and the offending entry."""


@dataclass(frozen=True)
class Override:
    kind: str  # must_link or cannot_link
    record_l: str
    record_r: str


def load_overrides(path: Path) -> tuple[Override, ...]:
    """Read and validate the overrides file; a missing file means no overrides."""
    if not path.is_file():
        logger.info("no identity overrides file at %s", path)
        return ()
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise OverridesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or set(raw) - set(KINDS):
        raise OverridesError(f"{path}: top level must be a mapping with keys {list(KINDS)}")
    overrides = []
    for kind in KINDS:
        pairs = raw.get(kind) or []
        if not isinstance(pairs, list):
            raise OverridesError(f"{path}: {kind}: must be a list of record pairs")
        for number, pair in enumerate(pairs):
            if not (isinstance(pair, list) and len(pair) == 2 and all(_is_record(r) for r in pair)):
                raise OverridesError(
                    f"{path}: {kind}[{number}]: must be two records written SOURCE:ID with SOURCE in "
                    f"{list(SOURCES)}, got {pair!r}"
                )
            overrides.append(Override(kind, *(r.strip() for r in pair)))
    return tuple(overrides)


def _is_record(value: object) -> bool:
    return isinstance(value, str) and value.partition(":")[0].strip() in SOURCES and bool(value.partition(":")[2])


def apply_overrides(
    con: duckdb.DuckDBPyConnection, records_table: str, edges_table: str, overrides: tuple[Override, ...]
) -> dict[str, int]:
    """Rewrite `edges_table` with the overrides; write the report and the cut edges.

    Must-links go first, so a cannot-link never cuts what a steward asked to keep together.
    """
    columns = ", ".join(f"CAST(NULL AS STRING) AS {column}" for column in REPORT_COLUMNS)
    create_table(con, OVERRIDE_REPORT, f"SELECT {columns} WHERE false")
    create_table(con, OVERRIDE_CUTS, f"SELECT *, CAST(NULL AS STRING) AS cut_for FROM {edges_table} WHERE false")
    known = _existing_records(con, records_table, overrides)
    report = []
    for override in sorted(overrides, key=lambda o: KINDS.index(o.kind)):
        missing = [r for r in (override.record_l, override.record_r) if r not in known]
        if missing:
            status, detail = "not_applied", f"record {' and '.join(missing)} does not exist"
        elif override.record_l == override.record_r:
            status, detail = "not_applied", "both sides name the same record"
        elif override.kind == "must_link":
            con.register("c360_must_link", _strings({"l": [override.record_l], "r": [override.record_r]}))
            con.execute(
                f"INSERT INTO {edges_table} (unique_id_l, unique_id_r, kind, match_probability) "
                "SELECT least(l, r), greatest(l, r), 'override', 1.0 FROM c360_must_link"
            )
            status, detail = "applied", "joined by an override edge"
        else:
            status, detail = _cut(con, edges_table, override)
        report.append((override.kind, override.record_l, override.record_r, status, detail))
        if status == "not_applied":
            logger.warning(
                "identity override %s %s %s not applied: %s",
                override.kind,
                override.record_l,
                override.record_r,
                detail,
            )
    if report:
        con.register("c360_override_rows", _strings(dict(zip(REPORT_COLUMNS, map(list, zip(*report)), strict=True))))
        con.execute(f"INSERT INTO {OVERRIDE_REPORT} SELECT * FROM c360_override_rows")
    counts = {
        "overrides_applied": sum(r[3] == "applied" for r in report),
        "overrides_not_applied": sum(r[3] == "not_applied" for r in report),
    }
    logger.info("identity overrides: %s", counts)
    return counts


def _strings(columns: dict[str, list[str]]) -> pa.Table:
    """Rows for the warehouse as a registered Arrow table: Spark binds `?` in an INSERT out of order."""
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def _existing_records(con: duckdb.DuckDBPyConnection, records_table: str, overrides: tuple[Override, ...]) -> set[str]:
    named = sorted({r for o in overrides for r in (o.record_l, o.record_r)})
    if not named:
        return set()
    con.register("c360_named_records", _strings({"unique_id": named}))
    rows = con.execute(
        f"SELECT unique_id FROM {records_table} WHERE unique_id IN (SELECT unique_id FROM c360_named_records)"
    ).fetchall()
    return {row[0] for row in rows}


def _capacity(kind: str, match_probability: float) -> float | None:
    """Edge weight for the cut: the match weight of a scored edge; None (uncuttable) for an override."""
    if kind == "override":
        return None
    if kind != "splink":
        return DETERMINISTIC_CAPACITY
    if match_probability >= 1.0:
        return MAX_SCORE_CAPACITY
    return min(MAX_SCORE_CAPACITY, max(math.log2(match_probability / (1 - match_probability)), 1e-6))


def _cut(con: duckdb.DuckDBPyConnection, edges_table: str, override: Override) -> tuple[str, str]:
    graph = nx.Graph()
    for left, right, kind, probability in con.execute(
        f"SELECT unique_id_l, unique_id_r, kind, match_probability FROM {edges_table}"
    ).fetchall():
        capacity = _capacity(kind, probability)
        data = graph.get_edge_data(left, right)
        if data is None:
            graph.add_edge(left, right, **({} if capacity is None else {"capacity": capacity}))
        elif "capacity" in data:
            if capacity is None:
                del data["capacity"]
            else:
                data["capacity"] += capacity
    source, sink = override.record_l, override.record_r
    if source not in graph or sink not in graph or not nx.has_path(graph, source, sink):
        return "applied", "already apart"
    component = graph.subgraph(nx.node_connected_component(graph, source))
    try:
        _, (side, _) = nx.minimum_cut(component, source, sink)
    except nx.NetworkXUnbounded:
        return "not_applied", "must-link overrides hold the two records together"
    cut = sorted((min(a, b), max(a, b)) for a, b in component.edges if (a in side) != (b in side))
    cut_for = f"{override.record_l} {override.record_r}"
    con.register(
        "c360_cut",
        _strings(
            {"unique_id_l": [a for a, _ in cut], "unique_id_r": [b for _, b in cut], "cut_for": [cut_for] * len(cut)}
        ),
    )
    on_cut = "ON c.unique_id_l = e.unique_id_l AND c.unique_id_r = e.unique_id_r"
    con.execute(f"INSERT INTO {OVERRIDE_CUTS} SELECT e.*, c.cut_for FROM {edges_table} e JOIN c360_cut c {on_cut}")
    create_table(
        con, "c360_kept_edges", f"SELECT e.* FROM {edges_table} e ANTI JOIN c360_cut c {on_cut}", temporary=True
    )
    replace_rows(con, edges_table, "SELECT * FROM c360_kept_edges")
    drop_temporary(con, "c360_kept_edges")
    return "applied", f"cut {len(cut)} edge(s)"
