"""Identity on two engines, compared: the same inputs in both, and how far their customers agree.

Pairwise agreement is the share of record pairs put in one customer by either engine that both
put together (1.0: the same clusters). Used by the Spark equality test and its benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path

import duckdb

from identity.person_models import STAGING_SCHEMA
from identity.warehouse import create_table
from registry import identity_models


def copy_identity_inputs(duckdb_warehouse: Path, con) -> None:
    """The dbt models identity reads, copied from a DuckDB warehouse into `con`'s engine as tables."""
    with duckdb.connect(str(duckdb_warehouse), read_only=True) as source:
        inputs = {
            model: source.sql(f"SELECT * FROM {STAGING_SCHEMA}.{model}").to_arrow_table() for model in identity_models()
        }
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGING_SCHEMA}")
    for model, table in inputs.items():
        con.register("c360_copied_model", table)
        create_table(con, f"{STAGING_SCHEMA}.{model}", "SELECT * FROM c360_copied_model")


def customers(customer_map: list[tuple[str, str, str]]) -> dict[str, frozenset[str]]:
    """customer_id -> its records (`source:id`), from customer_map rows."""
    members: dict[str, set[str]] = defaultdict(set)
    for source, record_id, customer_id in customer_map:
        members[customer_id].add(f"{source}:{record_id}")
    return {customer: frozenset(records) for customer, records in members.items()}


def _pairs(by_customer: dict[str, frozenset[str]]) -> set[tuple[str, str]]:
    return {pair for records in by_customer.values() for pair in combinations(sorted(records), 2)}


def agreement(first: list[tuple[str, str, str]], second: list[tuple[str, str, str]]) -> dict:
    """Pair counts, pairwise agreement, customer counts, and how many customers with the same records
    carry the same id on both sides."""
    first_customers, second_customers = customers(first), customers(second)
    first_pairs, second_pairs = _pairs(first_customers), _pairs(second_customers)
    either = first_pairs | second_pairs
    first_ids = {records: customer for customer, records in first_customers.items()}
    same_records = {records: customer for customer, records in second_customers.items() if records in first_ids}
    return {
        "pairs": (len(first_pairs), len(second_pairs)),
        "pairs_in_both": len(first_pairs & second_pairs),
        "pairwise_agreement": len(first_pairs & second_pairs) / len(either) if either else 1.0,
        "differing_pairs": sorted(first_pairs ^ second_pairs),
        "customers": (len(first_customers), len(second_customers)),
        "same_customers": len(same_records),
        "same_customers_same_id": sum(first_ids[records] == customer for records, customer in same_records.items()),
    }
