"""`c360 report`: one self-contained HTML page of the measurement marts, for people without SQL.

Charts are inline SVG (c360.svg_charts) and the page loads nothing, so it opens offline and can be
mailed around. Only aggregates are shown: no customer appears on the page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb

from c360.engine import operational_store, warehouse_exists
from c360.errors import UserError
from c360.svg_charts import bar_chart, grouped_bar_chart, heatmap, line_chart
from identity.warehouse import table_exists

MODELS = ["first_touch", "last_touch", "linear", "position_based", "time_decay"]
TABLES = [
    "fct_segment_sizes_daily",
    "fct_funnel_steps",
    "fct_retention_cohorts",
    "fct_attribution",
    "fct_segment_split_lift",
]
MAX_COHORTS, MAX_PERIODS = 12, 12

SIZES_SQL = "select segment, cast(day as varchar), members from marts.fct_segment_sizes_daily order by segment, day"
FUNNEL_SQL = """select funnel, step_number, step_name, customers, conversion_from_first_step
                from marts.fct_funnel_steps where breakdown = 'overall' order by funnel, step_number"""
COHORT_SQL = f"""select strftime(cohort_period, '%Y-%m'), period_number, activity_retention
                 from marts.fct_retention_cohorts
                 where cohort_basis = 'first_seen' and grain = 'month' and period_number < {MAX_PERIODS}
                   and cohort_period in (select distinct cohort_period from marts.fct_retention_cohorts
                                         where cohort_basis = 'first_seen' and grain = 'month'
                                         order by cohort_period desc limit {MAX_COHORTS})"""
ATTRIBUTION_SQL = (
    "select channel, "
    + ", ".join(f"sum(revenue * {model}_credit)" for model in MODELS)
    + " from marts.fct_attribution group by channel order by 2 desc"
)
MATCH_SQL = """with sources as (select customer_id, count(distinct source) as sources from identity.customer_map
                                group by customer_id)
               select map.source, count(*), count(*) filter (where sources.sources > 1)
               from identity.customer_map as map join sources using (customer_id)
               group by map.source order by map.source"""
LIFT_SQL = """select segment, split_group, is_holdout, members, converted_members, conversion_rate, lift
              from marts.fct_segment_split_lift order by segment, is_holdout, split_group"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>c360 measurement report</title>
<style>body{{font-family:sans-serif;margin:24px;max-width:960px;color:#222}}h2{{margin-top:32px}}
section{{margin-bottom:16px}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 8px;
text-align:right}}.note{{color:#666;font-size:12px}}</style></head>
<body><h1>c360 measurement report</h1><p class="note">Built {built} from {warehouse}.</p>
{sections}</body></html>
"""


def write_report(warehouse: Path, out: Path) -> Path:
    """Write the report to `out`; a missing warehouse or unbuilt marts is a UserError."""
    if not warehouse_exists(warehouse):
        raise UserError(f"no warehouse at {warehouse}: run `c360 run` first")
    with operational_store(warehouse, ("marts", "identity"), read_only=True) as con:
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        missing = [t for t in TABLES if t not in present]
        if missing:
            raise UserError(f"the warehouse lacks marts.{', marts.'.join(missing)}: run `c360 run` first")
        sections = [_segment_sizes(con), _funnels(con), _cohorts(con), _attribution(con), _lift(con), _identity(con)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        PAGE.format(
            built=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            warehouse=escape(warehouse.name),
            sections="\n".join(sections),
        ),
        encoding="utf-8",
    )
    return out


def _section(title: str, note: str, body: str | None, missing: str) -> str:
    """A titled section with its note (if any); a body of None says there are no `missing` yet."""
    body = f'<p class="empty">No {escape(missing)} yet.</p>' if body is None else body
    return f"<section><h2>{escape(title)}</h2>{f'<p class=note>{escape(note)}</p>' if note else ''}{body}</section>"


def _segment_sizes(con: duckdb.DuckDBPyConnection) -> str:
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for segment, day, members in con.execute(SIZES_SQL).fetchall():
        series[segment].append((day, members))
    chart = line_chart("Segment members per day", dict(series)) if series else None
    note = "Members at the end of each day (fct_segment_sizes_daily)."
    return _section("Segment sizes over time", note, chart, "segment history")


def _funnels(con: duckdb.DuckDBPyConnection) -> str:
    funnels: dict[str, list[tuple]] = defaultdict(list)
    for funnel, number, name, customers, rate in con.execute(FUNNEL_SQL).fetchall():
        funnels[funnel].append((f"{number}. {name}", customers, f"{customers:,} ({rate or 0:.0%})"))
    charts = [
        f"<h3>{escape(funnel)}</h3>"
        + bar_chart(f"Funnel {funnel}", [s[0] for s in steps], [s[1] for s in steps], [s[2] for s in steps])
        for funnel, steps in funnels.items()
    ]
    note = "Customers reaching each step, and the share of those entering (fct_funnel_steps, overall)."
    return _section("Funnels", note, "".join(charts) or None, "funnels")


def _cohorts(con: duckdb.DuckDBPyConnection) -> str:
    values = {(cohort, str(period)): float(rate) for cohort, period, rate in con.execute(COHORT_SQL).fetchall()}
    cohorts = sorted({c for c, _ in values})
    periods = sorted({p for _, p in values}, key=int)
    chart = heatmap("Monthly activity retention by first-seen cohort", cohorts, periods, values) if values else None
    note = "Share of each first-seen month's customers active N months later (fct_retention_cohorts)."
    return _section("Cohort retention", note, chart, "cohorts")


def _attribution(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(ATTRIBUTION_SQL).fetchall()
    values = {(row[0], model): float(credited or 0) for row in rows for model, credited in zip(MODELS, row[1:])}
    channels = [r[0] for r in rows]
    chart = grouped_bar_chart("Attributed revenue by channel and model", channels, MODELS, values) if rows else None
    note = "Revenue credited to each channel under each model (fct_attribution); '(none)': no touch before."
    return _section("Attribution by channel and model", note, chart, "conversions")


def _lift(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(LIFT_SQL).fetchall()
    cells = "".join(
        f"<tr><td>{escape(segment)}</td><td>{escape(group)}{' (holdout)' if holdout else ''}</td><td>{members:,}</td>"
        f"<td>{converted:,}</td><td>{rate:.1%}</td><td>{'' if lift is None else f'{lift:+.1%}'}</td></tr>"
        for segment, group, holdout, members, converted, rate, lift in rows
    )
    table = (
        "<table><tr><th>segment</th><th>group</th><th>members</th><th>converted</th>"
        f"<th>rate</th><th>lift vs holdout</th></tr>{cells}</table>"
    )
    return _section("Holdout lift", "", table if rows else None, "split segments")


def _identity(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(MATCH_SQL).fetchall() if table_exists(con, "identity.customer_map") else []
    chart = (
        bar_chart(
            "Share of records matched to another source",
            [r[0] for r in rows],
            [matched / total for _, total, matched in rows],
            [f"{matched / total:.0%} of {total:,}" for _, total, matched in rows],
        )
        if rows
        else None
    )
    note = "Share of each source's records whose customer also has records from another source."
    return _section("Identity match rates", note, chart, "identity map")
