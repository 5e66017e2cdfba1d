"""The `c360` command: one entry point for every stage."""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from c360.settings import Settings

SUMMARY_TABLES = [
    ("identity", "customer_map"),
    ("marts", "dim_customers"),
    ("marts", "segment_membership"),
]


def _cmd_run(args: argparse.Namespace) -> int:
    from c360.runner import run_pipeline

    settings = Settings.from_env()
    result = run_pipeline(settings)
    if not result.success:
        print("c360: pipeline failed; see the log above for the failing step", file=sys.stderr)
        return 1
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for schema, table in SUMMARY_TABLES:
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            print(f"{schema}.{table}: {rows} rows")
    print(f"warehouse: {settings.warehouse}\nexports:   {settings.exports}")
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    from c360.generator import generate

    counts = generate(Path(args.out), Path(args.truth), n_people=args.people, seed=args.seed, days=args.days)
    for name, rows in counts.items():
        print(f"{name}: {rows}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="c360", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the whole pipeline (ingest, identity, dbt, exports) through Dagster")
    run.set_defaults(func=_cmd_run)

    gen = sub.add_parser("generate", help="generate a synthetic customer universe with ground truth")
    gen.add_argument("--people", type=int, default=2000)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--days", type=int, default=30)
    gen.add_argument("--out", required=True, help="landing root to write crm/, web/, email/ into")
    gen.add_argument("--truth", required=True, help="truth CSV path (keep it outside --out)")
    gen.set_defaults(func=_cmd_generate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
