"""Why records are (or are not) one customer: `c360 identity explain`.

Reads the identity stage's working tables of the last run (records, edges, override report and
cuts, customer_map) and re-scores pairs with the saved Splink model on the same records, so a
Splink edge is shown with its match weight broken down per comparison (the waterfall: the prior,
then each comparison's level, Bayes factor and log2 weight, term-frequency adjustments). The text
goes to the caller (who asked, so it may show the records' values); the same pairs are written
as Splink's waterfall chart to an HTML file. Nothing of it is logged.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
from splink import DuckDBAPI

from c360.engine import duckdb_analysis, load_engine_config
from c360.settings import Settings
from identity.config import IdentityConfig
from identity.model import (
    SPLINK_SCHEMA,
    load_linker,
    register_table,
    splink_session,
)
from identity.overrides import OVERRIDE_CUTS, OVERRIDE_REPORT
from identity.warehouse import table_exists

RULES = {
    "exact_email": "same email address (trimmed, lower-cased; primary or additional)",
    "anonymous_to_user": "Segment identify: one event carried both this anonymousId and this userId",
    "email_click": "email-link click: a page URL on this anonymousId carried mc_eid=<this recipient>",
    "alias": "Segment alias: previousId became this userId",
    "override": "manual must-link in the identity overrides file",
}
SHOWN_COLUMNS = ("first_name", "last_name", "email", "phone", "street", "city", "postcode", "dob")


class ExplainError(ValueError):
    """The customer or record asked about does not exist; one line for the user."""


@dataclass
class Explanation:
    lines: list[str] = field(default_factory=list)
    scored: list[dict[str, Any]] = field(default_factory=list)  # Splink rows for the waterfall chart
    chart: Path | None = None

    def add(self, text: str = "") -> None:
        self.lines.append(text)


def parse_record(text: str) -> str:
    """'crm_contact:123' -> the identity unique_id (the same spelling)."""
    source, sep, record_id = text.partition(":")
    if not sep or not source or not record_id:
        raise ExplainError(f"record {text!r} must be written SOURCE:ID, e.g. crm_contact:123")
    return f"{source.strip()}:{record_id.strip()}"


def explain(
    con: duckdb.DuckDBPyConnection,
    config: IdentityConfig,
    reports_dir: Path,
    *,
    customer_id: str | None = None,
    record: str | None = None,
    pair: tuple[str, str] | None = None,
    run_engine: str = "duckdb",
) -> Explanation:
    """Explain one customer (by id or by one of its records) or one pair of records. Pairs are
    re-scored by Splink on DuckDB; `run_engine` is the engine whose run scored the stored edges."""
    if not table_exists(con, "identity.edges"):
        raise ExplainError("no identity run in this warehouse yet; run `c360 run` first")
    with splink_session(con) as db_api:
        explainer = _Explainer(con, config, db_api, run_engine)
        if pair is not None:
            left, right = (parse_record(r) for r in pair)
            explainer.pair(left, right)
            name = f"pair_{left}_{right}"
        else:
            if record is not None:
                record = parse_record(record)
                customer_id = explainer.customer_of(record)
            if customer_id is None:
                raise ExplainError("name a customer id, a record or a pair of records")
            explainer.customer(customer_id, highlight=record)
            name = f"customer_{customer_id}"
        explanation = explainer.out
        if explanation.scored:
            reports_dir.mkdir(parents=True, exist_ok=True)
            explanation.chart = reports_dir / f"explain_{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.html"
            explainer.linker.visualisations.waterfall_chart(explanation.scored, filter_nulls=False).save(
                str(explanation.chart), inline=True
            )
            explanation.add(f"waterfall chart: {explanation.chart}")
    return explanation


class _Explainer:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, config: IdentityConfig, db_api: DuckDBAPI, run_engine: str
    ) -> None:
        self.con, self.config, self.run_engine = con, config, run_engine
        self.out = Explanation()
        self.db_api = db_api
        try:
            self.linker = load_linker(register_table(db_api, "identity.records", "records"), config.model_path)
        except FileNotFoundError as exc:  # no trained model at the configured path
            raise ExplainError(str(exc)) from exc
        settings = self.linker._settings_obj
        self.comparisons = settings.comparisons
        self.prior = math.log2(_odds(settings._probability_two_random_records_match))
        self.threshold_weight = math.log2(_odds(config.match_threshold))

    # --- look-ups -------------------------------------------------------------------------
    def customer_of(self, record: str) -> str:
        row = self.con.execute(
            "SELECT customer_id FROM identity.customer_map WHERE source || ':' || source_record_id = ?", [record]
        ).fetchone()
        if row is None:
            raise ExplainError(f"record {record} is not in identity.customer_map")
        return row[0]

    def _records(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        cursor = self.con.execute(
            f"SELECT r.unique_id, m.customer_id, {', '.join('r.' + c for c in SHOWN_COLUMNS)} "
            "FROM identity.records r LEFT JOIN identity.customer_map m USING (source, source_record_id) "
            "WHERE r.unique_id IN (SELECT unnest(?)) ORDER BY r.unique_id",
            [ids],
        )
        names = [c[0] for c in cursor.description]
        return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}

    def _records_of(self, customer_id: str) -> list[str]:
        """The customer's records (source:id), in order."""
        return [
            record
            for (record,) in self.con.execute(
                "SELECT source || ':' || source_record_id FROM identity.customer_map WHERE customer_id = ? ORDER BY 1",
                [customer_id],
            ).fetchall()
        ]

    def _edges(self, ids: list[str]) -> list[tuple[str, str, str, float]]:
        return self.con.execute(
            "SELECT unique_id_l, unique_id_r, kind, match_probability FROM identity.edges "
            "WHERE unique_id_l IN (SELECT unnest(?)) AND unique_id_r IN (SELECT unnest(?)) ORDER BY ALL",
            [ids, ids],
        ).fetchall()

    def _cuts(self, ids: list[str]) -> list[tuple]:
        if not table_exists(self.con, OVERRIDE_CUTS):
            return []
        return self.con.execute(
            f"SELECT unique_id_l, unique_id_r, kind, match_probability, cut_for FROM {OVERRIDE_CUTS} "
            "WHERE unique_id_l IN (SELECT unnest(?)) OR unique_id_r IN (SELECT unnest(?)) ORDER BY ALL",
            [ids, ids],
        ).fetchall()

    def _score(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Splink's full comparison rows for the given pairs, blocking-rule flag included."""
        ids = sorted({r for p in pairs for r in p})
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {SPLINK_SCHEMA}")
        self.con.execute(
            f"CREATE OR REPLACE TABLE {SPLINK_SCHEMA}.c360_explain_input AS "
            "SELECT * FROM identity.records WHERE unique_id IN (SELECT unnest(?))",
            [ids],
        )
        side = register_table(self.db_api, f"{SPLINK_SCHEMA}.c360_explain_input", "explained")
        rows = self.linker.inference.score_pairs(side, side, include_found_by_blocking_rules=True).as_record_list()
        return {(row["unique_id_l"], row["unique_id_r"]): row for row in rows}

    # --- output ---------------------------------------------------------------------------
    def customer(self, customer_id: str, highlight: str | None = None) -> None:
        ids = self._records_of(customer_id)
        if not ids:
            raise ExplainError(
                f"customer {customer_id} is not in identity.customer_map "
                "(retired ids are in identity.customer_id_history)"
            )
        add = self.out.add
        add(f"customer {customer_id}: {len(ids)} record(s)")
        records = self._records(ids)
        for unique_id in ids:
            add(f"  {'*' if unique_id == highlight else ' '} {unique_id}  {_values(records.get(unique_id, {}))}")
        edges = self._edges(ids)
        add(f"{len(edges)} edge(s) join them:")
        self._explain_edges(edges)
        for left, right, kind, probability, cut_for in self._cuts(ids):
            add(f"  cut by cannot-link ({cut_for}): {left} -- {right} [{kind}, p={probability:.4f}]")

    def _explain_edges(self, edges: list[tuple[str, str, str, float]]) -> None:
        scored = self._score([(left, right) for left, right, kind, _ in edges if kind == "splink"])
        for left, right, kind, probability in edges:
            if kind != "splink":
                self.out.add(f"  {left} -- {right}: rule {kind}: {RULES.get(kind, 'deterministic rule')}")
                continue
            self.out.add(
                f"  {left} -- {right}: Splink, match probability {probability:.4f} "
                f"(threshold {self.config.match_threshold})"
            )
            row = _lookup(scored, left, right)
            if not math.isclose(row["match_probability"], probability, rel_tol=1e-9, abs_tol=1e-12):
                self.out.add(self._score_changed(row["match_probability"]))
            self._waterfall(row)

    def _score_changed(self, today: float) -> str:
        if self.run_engine != "duckdb":  # DuckDB re-scores what another engine's Splink scored
            return (
                f"      DuckDB's Splink scores this pair {today:.4f}: the {self.run_engine} run's string "
                f"similarities differ slightly from DuckDB's (docs/engines.md), or the model or the records "
                f"changed since the run"
            )
        return f"      the model or the records changed since the run: today's score is {today:.4f}; rerun identity to apply it"

    def _waterfall(self, row: dict[str, Any]) -> None:
        self.out.scored.append(row)
        add = self.out.add
        add(f"      {'prior (two random records match)':<52} {self.prior:+8.2f} bits")
        for comparison in self.comparisons:
            name = comparison.output_column_name
            level = comparison._get_comparison_level_by_comparison_vector_value(row[f"gamma_{name}"])
            weight = row.get(f"mw_{name}", 0.0) or 0.0
            columns = [c.unquote().name for c in comparison._input_columns_used_by_case_statement]
            values = " / ".join(
                f"{row.get(c + '_l')!s} vs {row.get(c + '_r')!s}" for c in columns if not c.endswith("_variants")
            )
            add(
                f"      {name + ': ' + level.label_for_charts:<52} {weight:+8.2f} bits "
                f"(Bayes factor {2**weight:.3g}; gamma {row[f'gamma_{name}']}; {values})"
            )
            adjustment = row.get(f"mw_tf_adj_{name}")
            if adjustment:
                add(f"      {'  term-frequency adjustment on ' + name:<52} {adjustment:+8.2f} bits")
        add(
            f"      {'= match weight':<52} {row['match_weight']:+8.2f} bits "
            f"(probability {row['match_probability']:.4f}; threshold {self.threshold_weight:+.2f} bits)"
        )

    def pair(self, left: str, right: str) -> None:
        add = self.out.add
        records = self._records([left, right])
        for record in (left, right):
            if record not in records:
                raise ExplainError(f"record {record} is not in identity.records")
            add(f"  {record}  customer {records[record]['customer_id']}  {_values(records[record])}")
        if records[left]["customer_id"] == records[right]["customer_id"]:
            self._merged_pair(left, right, records[left]["customer_id"])
            return
        add("not merged:")
        overrides = self._cannot_link(left, right)
        if overrides:
            add(f"  kept apart by cannot-link override(s): {'; '.join(overrides)}")
        row = _lookup(self._score([(left, right)]), left, right)
        if not row["found_by_blocking_rules"]:
            add(
                "  never compared: no blocking rule of the model pairs these two records "
                "(and no deterministic rule joins them)"
            )
        elif row["match_probability"] < self.config.match_threshold:
            add(
                f"  compared, but scored {row['match_probability']:.4f} < threshold {self.config.match_threshold} "
                f"(match weight {row['match_weight']:+.2f} < {self.threshold_weight:+.2f} bits)"
            )
            against = sorted(
                ((row.get(f"mw_{c.output_column_name}") or 0.0, c.output_column_name) for c in self.comparisons),
                key=lambda item: item[0],
            )
            pulling = [f"{name} {weight:+.2f}" for weight, name in against if weight < 0]
            add(f"  comparisons that pulled it down: {', '.join(pulling) or 'none; the evidence was too weak'}")
        elif self.config.require_first_name_agreement and row["gamma_first_name"] == 0 and row["dob_l"] != row["dob_r"]:
            add(
                "  scored above the threshold but dropped: first names disagree outright and the dates of birth "
                "are not known to be equal (require_first_name_agreement in config/identity.yml)"
            )
        else:
            add(
                "  scored above the threshold; the edge was cut by a cannot-link override"
                if overrides
                else "  scored above the threshold, yet not joined: rerun identity (the warehouse changed since)"
            )
        add("score under the current model:")
        self._waterfall(row)

    def _merged_pair(self, left: str, right: str, customer_id: str) -> None:
        edges = self._edges(self._records_of(customer_id))
        graph = nx.Graph()
        graph.add_edges_from((a, b) for a, b, _, _ in edges)
        path = nx.shortest_path(graph, left, right)
        steps = {frozenset(step) for step in pairwise(path)}
        self.out.add(f"merged into customer {customer_id} through {len(path) - 1} edge(s):")
        self._explain_edges([edge for edge in edges if frozenset(edge[:2]) in steps])

    def _cannot_link(self, left: str, right: str) -> list[str]:
        if not table_exists(self.con, OVERRIDE_REPORT):
            return []
        rows = self.con.execute(
            f"SELECT record_l || ' ' || record_r || ' (' || status || ': ' || detail || ')' FROM {OVERRIDE_REPORT} "
            "WHERE kind = 'cannot_link' AND ((record_l = ? AND record_r = ?) OR (record_l = ? AND record_r = ?))",
            [left, right, right, left],
        ).fetchall()
        return [row[0] for row in rows]


def _odds(probability: float) -> float:
    return probability / (1 - probability)


def _lookup(scored: dict[tuple[str, str], dict[str, Any]], left: str, right: str) -> dict[str, Any]:
    return scored.get((left, right)) or scored[(right, left)]


def _values(record: dict[str, Any]) -> str:
    return ", ".join(f"{c}={record[c]}" for c in SHOWN_COLUMNS if record.get(c) is not None) or "(no attributes)"


def explain_command(
    settings: Settings,
    config: IdentityConfig,
    *,
    customer_id: str | None,
    record: str | None,
    pair: list[str] | None,
    reports_dir: Path | None,
) -> int:
    """`c360 identity explain`: print the explanation; a wrong id is one line and exit code 2."""
    try:
        # the waterfall reads Splink's scores as DuckDB relations: on Spark, DuckDB over identity's files
        with duckdb_analysis(settings, ["identity"]) as con:
            explanation = explain(
                con,
                config,
                reports_dir or settings.reports / "identity",
                customer_id=customer_id,
                record=record,
                pair=tuple(pair) if pair else None,
                run_engine=load_engine_config().name,
            )
    except ExplainError as exc:
        print(f"c360 identity explain: {exc}", file=sys.stderr)
        return 2
    print("\n".join(explanation.lines))
    return 0
