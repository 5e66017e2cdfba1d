"""Splink's Spark backend, made to work beside the compiled sqlglot that dagster-dbt installs."""

from __future__ import annotations

import sqlglot
from splink.backends.spark import SparkAPI
from sqlglot import exp


def _double_literal(node: exp.Expression) -> exp.Expression:
    """`CAST(0.5 AS DOUBLE)` as Spark's double literal `0.5D`: Spark reads a bare decimal literal as
    DECIMAL, whose 38 digits Splink's tiny probabilities overflow (Splink's `cast_as_double_edit`)."""
    if (
        isinstance(node, exp.Cast | exp.TryCast)
        and node.to.is_type("double")
        and isinstance(node.this, exp.Literal)
        and node.name != "Infinity"
    ):
        return exp.var(f"{node.name}D")
    return node


class SparkSplinkAPI(SparkAPI):
    """Splink's SparkAPI, writing its SQL in sqlglot's own `spark` dialect.

    Splink transpiles every statement to `customspark`, a subclass of sqlglot's Spark dialect whose
    only change is the double-literal cast. dagster-dbt pulls in `sqlglot[rs]`, whose compiled
    generator classes (`sqlglotc`) interpreted classes cannot subclass, so Splink's first Spark
    query fails ("interpreted classes cannot inherit from compiled"). Here the same edit is an
    expression transform over the parsed statement, and the stock dialect writes it.
    """

    def _setup_for_execute_sql(self, sql: str, physical_name: str) -> str:
        return sqlglot.parse_one(sql, read="spark").transform(_double_literal).sql(dialect="spark", pretty=True)
