"""The `c360` command: one entry point for every stage."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from c360.settings import SAMPLE_TRUTH, Settings
from c360.warehouse_lock import exclusive_warehouse

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


def _cmd_resolve(args: argparse.Namespace) -> int:
    from identity.cli_commands import parse_mapping, print_resolve_summary
    from identity.dates import check_date_format
    from identity.files import ResolveInputError, ResolveOptions, resolve_files

    try:
        mappings = [parse_mapping(m) for m in args.mapping]
        if len(mappings) not in (1, len(args.inputs)):
            raise ResolveInputError("give one --mapping for all files or one per file")
        options = ResolveOptions(threshold=args.threshold, link_only=args.link_only, one_to_one=args.one_to_one,
                                 model_path=Path(args.model) if args.model else None,
                                 date_format=check_date_format(args.date_format),
                                 truth=Path(args.truth) if args.truth else None)
        summary = resolve_files([Path(p) for p in args.inputs], mappings[0] if len(mappings) == 1 else mappings,
                                Path(args.out), options=options)
    except ValueError as exc:  # ResolveInputError, or an unknown date format
        print(f"c360 resolve: {exc}", file=sys.stderr)
        return 2
    print_resolve_summary(summary)
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _cmd_identity_train(args: argparse.Namespace) -> int:
    from identity.train import train_model

    settings = Settings.from_env()
    with exclusive_warehouse(settings.warehouse):
        print(f"model written to {train_model(settings)}")
    return 0


def _cmd_identity_evaluate(args: argparse.Namespace) -> int:
    from identity.cli_commands import identity_evaluate

    settings = Settings.from_env()
    with exclusive_warehouse(settings.warehouse):
        metrics = identity_evaluate(settings, Path(args.truth), Path(args.reports) if args.reports else None)
    print(json.dumps(metrics, indent=2))
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    from activation.sync import sync_destination

    settings = Settings.from_env()
    report = sync_destination(settings, args.destination, args.segment, dry_run=args.dry_run)
    print(f"{args.destination}: {report.status} {json.dumps(report.counts())}")
    if report.error:
        print(f"error: {report.error}", file=sys.stderr)
    return 0 if report.status in ("success", "dry_run") else 1


def _cmd_forget(args: argparse.Namespace) -> int:
    from privacy.forget import forget

    try:
        report = forget(Settings.from_env(), email=args.email, customer_id=args.customer_id)
    except ValueError as exc:
        print(f"c360 forget: {exc}", file=sys.stderr)
        return 2
    print(f"erasure {report.erasure_id}: {report.customers} customer id(s), {report.records} source record(s), "
          f"{report.rows_deleted} rows deleted, {report.identities_suppressed} identities suppressed")
    for table, rows in sorted(report.tables_touched.items()):
        print(f"  {table}: {rows}")
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

    res = sub.add_parser("resolve", help="deduplicate one person CSV or link several, with any headers")
    res.add_argument("inputs", nargs="+", help="one CSV to dedupe, or several to link")
    res.add_argument("--mapping", action="append", required=True,
                     help="FIELD=HEADER,... (fields: record_id, first_name, last_name, full_name, email, phone, "
                          "dob, street_number, street, address_2, city, postcode, state, country, and any number "
                          "of id:NAME, e.g. id:ssn=SSN); once for all files or once per file")
    res.add_argument("--out", required=True, help="folder for clusters.csv, pairs.csv, normalisation_report.csv")
    res.add_argument("--threshold", type=float, help="match probability an edge needs (default: config)")
    res.add_argument("--model", help="score with this saved Splink model instead of estimating one on the input")
    res.add_argument("--date-format", help="read every date as YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY, MM/DD/YYYY, "
                                           "DD.MM.YYYY or excel (default: detected per file)")
    res.add_argument("--link-only", action="store_true", help="join records of different files only")
    res.add_argument("--one-to-one", action="store_true",
                     help="each record joins at most one record of each other file (implies --link-only)")
    res.add_argument("--truth", help="CSV (record_id, entity_id): also report precision, recall and blocking recall")
    res.set_defaults(func=_cmd_resolve)

    ident = sub.add_parser("identity", help="train or evaluate the identity resolution model")
    ident_sub = ident.add_subparsers(dest="identity_command", required=True)
    train = ident_sub.add_parser("train", help="re-estimate the Splink model from the warehouse (saves JSON)")
    train.set_defaults(func=_cmd_identity_train)
    ev = ident_sub.add_parser("evaluate", help="precision/recall against a truth file, plus Splink charts")
    ev.add_argument("--truth", default=str(SAMPLE_TRUTH))
    ev.add_argument("--reports", help="folder for the charts (default: $C360_REPORTS/identity)")
    ev.set_defaults(func=_cmd_identity_evaluate)

    sync = sub.add_parser("sync", help="send a segment to a destination from config/destinations.yml")
    sync.add_argument("destination")
    sync.add_argument("--segment", help="send this segment instead of the destination's own")
    sync.add_argument("--dry-run", action="store_true", help="compute the changes, send and record nothing")
    sync.set_defaults(func=_cmd_sync)

    forget = sub.add_parser("forget", help="erase a person everywhere and keep their data out of later loads")
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="any email address of the person")
    who.add_argument("--customer-id", help="the person's customer_id (a retired id is followed to its successor)")
    forget.set_defaults(func=_cmd_forget)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
